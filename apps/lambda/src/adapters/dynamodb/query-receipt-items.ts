import type { ReceiptRef } from '@receipt-gate/core';
import type { Item } from './attribute-values.js';
import type { DynamoSend } from './dynamo-table-options.js';
import { imagePk, receiptLinesPrefix } from './keys.js';
import { querySortKeyPrefix } from './query-sort-key-prefix.js';

/**
 * Every item of one receipt's lines (lines, words, letters, labels...) whose TYPE is one of `types`: a strongly
 * consistent Query on `PK = IMAGE#{id} AND begins_with(SK, RECEIPT#{r:05d}#LINE#)`, all pages, in key order.
 */
export function queryReceiptItems(
  client: DynamoSend,
  tableName: string,
  receipt: ReceiptRef,
  types: readonly string[],
): Promise<Item[]> {
  return querySortKeyPrefix(client, tableName, imagePk(receipt.imageId), receiptLinesPrefix(receipt), types);
}
