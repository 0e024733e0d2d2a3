import {
  TransactionCanceledException,
  type TransactWriteItem,
  type TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { TransientStoreError } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import { type Item, s } from './attribute-values.js';
import { createAll } from './create-all.js';
import type { DynamoSend } from './dynamo-table-options.js';
import { type BatchRetry, backoffDelay } from './retry-policy.js';

const TABLE = 'receipts';
const items = (count: number): Item[] =>
  Array.from({ length: count }, (_, i) => ({ PK: s('IMAGE#x'), SK: s(`ITEM#${i}`) }));

const canceled = (codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

/** A client whose transactions fail per `answers` (the cancellation codes of each call) or succeed. */
function stubClient(
  existing: ReadonlySet<string>,
  answers: ((keys: string[]) => string[] | undefined)[] = [],
) {
  const calls: string[][] = [];
  const client = {
    send: async (command: TransactWriteItemsCommand) => {
      const puts = (command.input.TransactItems ?? []) as TransactWriteItem[];
      const keys = puts.map((put) => put.Put?.Item?.SK?.S ?? '');
      calls.push(keys);
      expect(puts.every((put) => put.Put?.ConditionExpression === 'attribute_not_exists(#n0)')).toBe(true);
      const scripted = answers[calls.length - 1]?.(keys);
      const codes = scripted ?? keys.map((key) => (existing.has(key) ? 'ConditionalCheckFailed' : 'None'));
      if (codes.some((code) => code !== 'None')) throw canceled(codes);
      return {};
    },
  };
  return { client: client as unknown as DynamoSend, calls };
}

function recordingRetry(maxAttempts = 5): BatchRetry & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => 0,
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
    },
    policy: { maxAttempts, baseDelayMs: 50, maxDelayMs: 300 },
  };
}

describe('createAll', () => {
  it('creates in transactions of 100 conditional puts', async () => {
    const { client, calls } = stubClient(new Set());
    expect(await createAll(client, TABLE, items(250), recordingRetry())).toBe(250);
    expect(calls.map((call) => call.length)).toEqual([100, 100, 50]);
  });

  it('leaves items that exist alone and creates the others', async () => {
    const { client, calls } = stubClient(new Set(['ITEM#1', 'ITEM#3']));
    expect(await createAll(client, TABLE, items(5), recordingRetry())).toBe(3);
    expect(calls).toEqual([
      ['ITEM#0', 'ITEM#1', 'ITEM#2', 'ITEM#3', 'ITEM#4'],
      ['ITEM#0', 'ITEM#2', 'ITEM#4'],
    ]);
  });

  it('tries a transaction that conflicted with another write again after a backoff', async () => {
    const conflict = (keys: string[]) => keys.map(() => 'TransactionConflict');
    const { client, calls } = stubClient(new Set(), [conflict, conflict]);
    const retry = recordingRetry();
    expect(await createAll(client, TABLE, items(2), retry)).toBe(2);
    expect(calls).toHaveLength(3);
    expect(retry.sleeps).toEqual([backoffDelay(retry.policy, 1), backoffDelay(retry.policy, 2)]);
  });

  it('fails with TransientStoreError on any other cancellation, or after the last attempt', async () => {
    const throttled = stubClient(new Set(), [(keys) => keys.map(() => 'ThrottlingError')]);
    await expect(createAll(throttled.client, TABLE, items(1), recordingRetry())).rejects.toBeInstanceOf(
      TransientStoreError,
    );
    const conflicting = stubClient(
      new Set(),
      Array(3).fill((keys: string[]) => keys.map(() => 'TransactionConflict')),
    );
    await expect(createAll(conflicting.client, TABLE, items(1), recordingRetry(3))).rejects.toThrow(
      'canceled 3 times',
    );
  });
});
