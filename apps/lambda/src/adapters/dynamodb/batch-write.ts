import { BatchWriteItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { TransientStoreError } from '@receipt-gate/core';
import type { Item } from './attribute-values.js';
import { chunks } from './chunks.js';
import { classified } from './classify-error.js';
import type { DynamoSend } from './dynamo-table-options.js';
import { type BatchRetry, backoffDelay } from './retry-policy.js';

/** BatchWriteItem takes at most 25 requests. */
export const BATCH_WRITE_LIMIT = 25;

/**
 * Puts `items` (distinct keys) in batches of 25. The SDK does not retry `UnprocessedItems`, so they are sent
 * again with capped exponential backoff; items still unprocessed after the last attempt fail the call with
 * TransientStoreError (nothing is dropped silently).
 */
export async function putAll(
  client: DynamoSend,
  tableName: string,
  items: readonly Item[],
  retry: BatchRetry,
): Promise<void> {
  for (const chunk of chunks(items, BATCH_WRITE_LIMIT)) {
    let pending: WriteRequest[] = chunk.map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 1; ; attempt++) {
      const output = await classified('BatchWriteItem', () =>
        client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } })),
      );
      pending = output.UnprocessedItems?.[tableName] ?? [];
      if (pending.length === 0) break;
      if (attempt >= retry.policy.maxAttempts) {
        throw new TransientStoreError(
          `DynamoDB BatchWriteItem left ${pending.length} items unprocessed after ${attempt} attempts`,
        );
      }
      await retry.clock.sleep(backoffDelay(retry.policy, attempt));
    }
  }
}
