import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { type Clock, pad5, type ReceiptRef, TransientStoreError } from '@receipt-gate/core';
import { type Item, n, s } from './attribute-values.js';
import { classified } from './classify-error.js';
import type { DynamoSend } from './dynamo-table-options.js';
import { ExpressionAttributes } from './expression-attributes.js';
import { primaryKey } from './keys.js';

/**
 * The lease an upload holds on one receipt while it writes, as one item of the shared table: its own partition
 * (`UPLOAD_LEASE#IMAGE#{id}#RECEIPT#{r}`), no TYPE and no index keys, so no index, no image query and no stream
 * filter of the existing services sees it, and it exists only while an upload runs (a TTL in `time_to_live`
 * removes one a crash left behind). It holds a random token and the epoch ms it expires at; every write made under
 * it renews it and is conditional on the token (`fence`), so an upload whose lease expired and was taken over can
 * no longer write.
 */
export interface ReceiptLease {
  readonly receipt: ReceiptRef;
  readonly key: Item;
  readonly token: string;
}

/** How long an abandoned lease keeps others waiting, and a day more before TTL deletes its item. */
const TTL_GRACE_S = 86_400;

export function leaseKey(receipt: ReceiptRef): Item {
  return primaryKey(
    `UPLOAD_LEASE#IMAGE#${receipt.imageId}#RECEIPT#${pad5(receipt.receiptId)}`,
    'UPLOAD_LEASE',
  );
}

function expiry(clock: Clock, leaseMs: number) {
  const expiresAt = clock.now() + leaseMs;
  return { expires_at: n(expiresAt), time_to_live: n(Math.ceil(expiresAt / 1000) + TTL_GRACE_S) };
}

/**
 * Takes the receipt's lease once it is free or expired, looking again with jittered backoff until `waitUntil`.
 * A waiter reads the lease (a read does not conflict with the holder's transactions, a write would) and tries to
 * take it only when it looks free.
 */
export async function takeLease(
  client: DynamoSend,
  tableName: string,
  clock: Clock,
  receipt: ReceiptRef,
  options: { readonly leaseMs: number; readonly waitUntil: number; readonly random?: () => number },
): Promise<ReceiptLease> {
  const key = leaseKey(receipt);
  const token = randomUUID();
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    // The first try takes it outright; later ones read first, and try only when it looks free.
    const current =
      attempt === 1
        ? undefined
        : await classified('GetItem', () =>
            client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true })),
          );
    const expiresAt = Number(current?.Item?.expires_at?.N ?? 0);
    if (!current?.Item || expiresAt < clock.now()) {
      const expression = new ExpressionAttributes();
      try {
        await classified('PutItem', () =>
          client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: { ...key, token: s(token), ...expiry(clock, options.leaseMs) },
              ConditionExpression: `attribute_not_exists(${expression.name('PK')}) OR ${expression.name('expires_at')} < ${expression.value(n(clock.now()))}`,
              ...expression.input,
            }),
          ),
        );
        return { receipt, key, token };
      } catch (error) {
        // A put whose answer was lost may have taken the lease: give it up again before anything else.
        if (!(error instanceof ConditionalCheckFailedException)) {
          await releaseLease(client, tableName, { receipt, key, token }).catch(() => undefined);
        }
        // Another upload took it first (or a transaction of the holder on it was in flight): wait as others do.
        if (!(error instanceof ConditionalCheckFailedException) && !(error instanceof TransientStoreError)) {
          throw error;
        }
      }
    }
    const now = clock.now();
    if (now >= options.waitUntil) {
      throw new TransientStoreError(
        `receipt ${receipt.imageId}/${receipt.receiptId} is being uploaded by another request; try again`,
      );
    }
    const backoff = Math.min(500, 20 * 2 ** Math.min(attempt, 5));
    await clock.sleep(Math.min(options.waitUntil - now, backoff / 2 + random() * (backoff / 2)));
  }
}

/**
 * The first action of every transaction made under the lease: it renews the lease, and cancels the transaction
 * when the lease is no longer this one (released, or expired and taken over).
 */
export function fence(
  tableName: string,
  lease: ReceiptLease,
  clock: Clock,
  leaseMs: number,
): TransactWriteItem {
  const expression = new ExpressionAttributes();
  const renewed = Object.entries(expiry(clock, leaseMs))
    .map(([name, value]) => `${expression.name(name)} = ${expression.value(value)}`)
    .join(', ');
  return {
    Update: {
      TableName: tableName,
      Key: lease.key,
      UpdateExpression: `SET ${renewed}`,
      ConditionExpression: `${expression.name('token')} = ${expression.value(s(lease.token))}`,
      ...expression.input,
    },
  };
}

/** Tries of a release: a lease left behind keeps the next upload of the receipt waiting until it expires. */
const RELEASE_ATTEMPTS = 3;

/** Gives the lease up, unless it is no longer this one. */
export async function releaseLease(
  client: DynamoSend,
  tableName: string,
  lease: ReceiptLease,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const expression = new ExpressionAttributes();
    try {
      await classified('DeleteItem', () =>
        client.send(
          new DeleteItemCommand({
            TableName: tableName,
            Key: lease.key,
            ConditionExpression: `${expression.name('token')} = ${expression.value(s(lease.token))}`,
            ...expression.input,
          }),
        ),
      );
      return;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      if (attempt >= RELEASE_ATTEMPTS) throw error;
    }
  }
}
