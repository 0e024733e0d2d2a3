import { BatchGetItemCommand, type KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import { TransientStoreError } from '@receipt-gate/core';
import type { Item } from './attribute-values.js';
import { chunks } from './chunks.js';
import { classified } from './classify-error.js';
import type { DynamoSend } from './dynamo-table-options.js';
import { projection } from './expression-attributes.js';
import { type BatchRetry, backoffDelay } from './retry-policy.js';

/** BatchGetItem takes at most 100 keys. */
export const BATCH_GET_LIMIT = 100;

/**
 * Strongly consistent reads of `keys` (distinct), projected to `attributes`, in batches of 100; unprocessed keys
 * are asked again with capped exponential backoff. Returns the items found, in no particular order.
 */
export async function getAll(
  client: DynamoSend,
  tableName: string,
  keys: readonly Item[],
  attributes: readonly string[],
  retry: BatchRetry,
): Promise<Item[]> {
  const found: Item[] = [];
  for (const chunk of chunks(keys, BATCH_GET_LIMIT)) {
    let pending: KeysAndAttributes = { Keys: chunk, ConsistentRead: true, ...projection(attributes) };
    for (let attempt = 1; ; attempt++) {
      const request = pending;
      const output = await classified('BatchGetItem', () =>
        client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: request } })),
      );
      found.push(...(output.Responses?.[tableName] ?? []));
      const unprocessed = output.UnprocessedKeys?.[tableName];
      if (!unprocessed?.Keys?.length) break;
      if (attempt >= retry.policy.maxAttempts) {
        throw new TransientStoreError(
          `DynamoDB BatchGetItem left ${unprocessed.Keys.length} keys unread after ${attempt} attempts`,
        );
      }
      pending = unprocessed;
      await retry.clock.sleep(backoffDelay(retry.policy, attempt));
    }
  }
  return found;
}
