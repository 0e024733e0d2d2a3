import type { BatchWriteItemCommand, WriteRequest } from '@aws-sdk/client-dynamodb';
import { TransientStoreError } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import { type Item, s } from './attribute-values.js';
import { putAll } from './batch-write.js';
import type { DynamoSend } from './dynamo-table-options.js';
import { type BatchRetry, backoffDelay } from './retry-policy.js';

const TABLE = 'receipts';
const items = (count: number): Item[] =>
  Array.from({ length: count }, (_, i) => ({ PK: s('IMAGE#x'), SK: s(`ITEM#${i}`) }));

/** A client whose BatchWriteItem leaves the first `unprocessed[i]` requests of call i unprocessed. */
function stubClient(unprocessed: number[]) {
  const calls: WriteRequest[][] = [];
  const client = {
    send: async (command: BatchWriteItemCommand) => {
      const requests = command.input.RequestItems?.[TABLE] ?? [];
      const left = unprocessed[calls.length] ?? 0;
      calls.push(requests);
      return { UnprocessedItems: left > 0 ? { [TABLE]: requests.slice(0, left) } : {} };
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

const sks = (requests: WriteRequest[]) => requests.map((request) => request.PutRequest?.Item?.SK?.S);

describe('putAll', () => {
  it('writes in batches of 25', async () => {
    const { client, calls } = stubClient([]);
    await putAll(client, TABLE, items(60), recordingRetry());
    expect(calls.map((call) => call.length)).toEqual([25, 25, 10]);
  });

  it('sends unprocessed items again, and only them, with capped exponential backoff', async () => {
    const { client, calls } = stubClient([20, 7, 3, 1]);
    const retry = recordingRetry(6);
    await putAll(client, TABLE, items(25), retry);
    expect(calls.map((call) => call.length)).toEqual([25, 20, 7, 3, 1]);
    expect(sks(calls[2] ?? [])).toEqual(sks(calls[1] ?? []).slice(0, 7));
    expect(retry.sleeps).toEqual([50, 100, 200, 300]);
  });

  it('fails with TransientStoreError when items are still unprocessed after the last attempt', async () => {
    const { client, calls } = stubClient([5, 5, 5]);
    const retry = recordingRetry(3);
    await expect(putAll(client, TABLE, items(10), retry)).rejects.toBeInstanceOf(TransientStoreError);
    expect(calls).toHaveLength(3);
    expect(retry.sleeps).toHaveLength(2);
  });

  it('wraps a throttled batch in TransientStoreError', async () => {
    const client = {
      send: async () => {
        throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
      },
    } as unknown as DynamoSend;
    await expect(putAll(client, TABLE, items(1), recordingRetry())).rejects.toBeInstanceOf(
      TransientStoreError,
    );
  });
});

describe('backoffDelay', () => {
  it('doubles from the base delay up to the cap', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 25, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(policy, attempt))).toEqual([
      25, 50, 100, 200, 400, 800, 1_000,
    ]);
  });
});
