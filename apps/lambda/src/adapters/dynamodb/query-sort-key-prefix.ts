import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { type Item, s } from './attribute-values.js';
import { classified } from './classify-error.js';
import type { DynamoSend } from './dynamo-table-options.js';
import { ExpressionAttributes } from './expression-attributes.js';

/**
 * Every item of partition `pk` whose SK starts with `skPrefix` (and, given `types`, whose TYPE is one of them): a
 * strongly consistent Query on `PK = :pk AND begins_with(SK, :prefix)`, all pages, in key order. The key condition
 * bounds what is read; a TYPE filter only bounds what is returned.
 */
export async function querySortKeyPrefix(
  client: DynamoSend,
  tableName: string,
  pk: string,
  skPrefix: string,
  types?: readonly string[],
): Promise<Item[]> {
  const expression = new ExpressionAttributes();
  const key = `${expression.name('PK')} = ${expression.value(s(pk))} AND begins_with(${expression.name('SK')}, ${expression.value(s(skPrefix))})`;
  const filter =
    types && `${expression.name('TYPE')} IN (${types.map((type) => expression.value(s(type))).join(', ')})`;
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await classified('Query', () =>
      client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: key,
          ...(filter && { FilterExpression: filter }),
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
