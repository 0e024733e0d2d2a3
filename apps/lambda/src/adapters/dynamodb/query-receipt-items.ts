import { QueryCommand } from '@aws-sdk/client-dynamodb';
import type { ReceiptRef } from '@receipt-gate/core';
import { type Item, s } from './attribute-values.js';
import { classified } from './classify-error.js';
import type { DynamoSend } from './dynamo-table-options.js';
import { ExpressionAttributes } from './expression-attributes.js';
import { imagePk, receiptLinesPrefix } from './keys.js';

/**
 * Every item of one receipt's lines (lines, words, letters, labels...) whose TYPE is one of `types`: a strongly
 * consistent Query on `PK = IMAGE#{id} AND begins_with(SK, RECEIPT#{r:05d}#LINE#)`, all pages, in key order.
 */
export async function queryReceiptItems(
  client: DynamoSend,
  tableName: string,
  receipt: ReceiptRef,
  types: readonly string[],
): Promise<Item[]> {
  const expression = new ExpressionAttributes();
  const key = `${expression.name('PK')} = ${expression.value(s(imagePk(receipt.imageId)))} AND begins_with(${expression.name('SK')}, ${expression.value(s(receiptLinesPrefix(receipt)))})`;
  const filter = `${expression.name('TYPE')} IN (${types.map((type) => expression.value(s(type))).join(', ')})`;
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await classified('Query', () =>
      client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: key,
          FilterExpression: filter,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ...expression.input,
        }),
      ),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
