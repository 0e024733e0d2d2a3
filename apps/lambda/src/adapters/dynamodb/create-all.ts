import { randomUUID } from 'node:crypto';
import { TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { TransientStoreError } from '@receipt-gate/core';
import type { Item } from './attribute-values.js';
import { chunks } from './chunks.js';
import { classified } from './classify-error.js';
import type { DynamoSend } from './dynamo-table-options.js';
import { ExpressionAttributes } from './expression-attributes.js';
import { type BatchRetry, backoffDelay } from './retry-policy.js';

/** TransactWriteItems takes at most 100 actions. */
export const CREATE_CHUNK = 100;

/**
 * Creates each of `items` (distinct keys) that does not exist yet; an existing item is never replaced, whoever
 * wrote it. Puts conditional on the key being absent, 100 to a transaction: when some already exist the
 * transaction is canceled, and is tried again without them. A transaction canceled by a conflict with another
 * write is tried again after a backoff; anything else fails the call with TransientStoreError. Returns how many
 * items were created.
 */
export async function createAll(
  client: DynamoSend,
  tableName: string,
  items: readonly Item[],
  retry: BatchRetry,
): Promise<number> {
  let created = 0;
  for (const chunk of chunks(items, CREATE_CHUNK)) {
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt++) {
      try {
        await classified('TransactWriteItems', () =>
          client.send(
            new TransactWriteItemsCommand({
              TransactItems: pending.map((item) => putNew(tableName, item)),
              // One token per attempt: an SDK retry of this request is idempotent, a new attempt is new.
              ClientRequestToken: randomUUID(),
            }),
          ),
        );
        created += pending.length;
        break;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
        if (attempt >= retry.policy.maxAttempts) {
          throw new TransientStoreError(
            `DynamoDB TransactWriteItems was canceled ${attempt} times (${codes.join(', ')})`,
            { cause: error },
          );
        }
        if (codes.includes('ConditionalCheckFailed')) {
          pending = pending.filter((_, i) => codes[i] !== 'ConditionalCheckFailed');
        } else if (codes.every((code) => code === 'None' || code === 'TransactionConflict')) {
          await retry.clock.sleep(backoffDelay(retry.policy, attempt));
        } else {
          throw new TransientStoreError(`DynamoDB TransactWriteItems was canceled (${codes.join(', ')})`, {
            cause: error,
          });
        }
      }
    }
  }
  return created;
}

function putNew(tableName: string, item: Item) {
  const expression = new ExpressionAttributes();
  return {
    Put: {
      TableName: tableName,
      Item: item,
      ConditionExpression: `attribute_not_exists(${expression.name('PK')})`,
      ...expression.input,
    },
  };
}
