import { setTimeout as sleep } from 'node:timers/promises';
import { type AttributeValue, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { freshStreamTable, streamHolds as waitForRecords } from '../../test/stream-table.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dynamodb-local/dynamodb-local.js';
import { StreamPump, type StreamSubscription } from './stream-pump.js';

type Item = Record<string, AttributeValue>;

const S = (value: string) => ({ S: value });
const N = (value: number) => ({ N: String(value) });
const pkOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.PK?.S;
const sequences = (event: DynamoDBStreamEvent) =>
  event.Records.map((record) => record.dynamodb?.SequenceNumber);
const activeTimeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

/** The fewest timers seen over 200 ms: vitest's own RPC timers come and go (slowly on a loaded machine). */
const baselineTimeouts = async () => {
  let fewest = Number.POSITIVE_INFINITY;
  for (let sample = 0; sample < 10; sample++) {
    fewest = Math.min(fewest, activeTimeouts());
    await sleep(20);
  }
  return fewest;
};

describe('StreamPump on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshStreamTable>>;
  let streams: DynamoDBStreamsClient;
  let pump: StreamPump | undefined;

  beforeEach(async () => {
    table = await freshStreamTable('stream');
    streams = new DynamoDBStreamsClient({
      endpoint: inject('dynamoEndpoint'),
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
  });

  afterEach(async () => {
    await pump?.stop();
    pump = undefined;
    streams.destroy();
    await table.drop();
  });

  const newPump = (subscriptions: StreamSubscription[], retryDelayMs = 20) => {
    pump = new StreamPump(
      {
        streamsClient: streams,
        streamArn: table.streamArn,
        region: LOCAL_REGION,
        pollIntervalMs: 50,
        retryDelayMs,
      },
      subscriptions,
    );
    return pump;
  };

  const put = (item: Item) =>
    table.client.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
  const setField = (pk: string, field: string, value: AttributeValue) =>
    table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { PK: S(pk), SK: S('A') },
        UpdateExpression: 'SET #f = :v',
        ExpressionAttributeNames: { '#f': field },
        ExpressionAttributeValues: { ':v': value },
      }),
    );

  const streamHolds = (count: number) => waitForRecords(streams, table.streamArn, count);

  const writeItems = async (...pks: string[]) => {
    for (const pk of pks) await put({ PK: S(pk), SK: S('A') });
  };

  it('delivers writes to the handler as Lambda-shaped events, with a Lambda context', async () => {
    await put({
      PK: S('IMAGE#1'),
      SK: S('A'),
      TYPE: S('COMPACTION_RUN'),
      merged: N(5),
      blob: { B: Uint8Array.of(1, 2, 3) },
    });
    await setField('IMAGE#1', 'merged', N(6));
    const events: DynamoDBStreamEvent[] = [];
    const contexts: { functionName: string; remaining: number; requestId: string }[] = [];
    await newPump([
      {
        name: 'compactor',
        startingPosition: 'TRIM_HORIZON',
        timeoutMs: 30_000,
        handler: async (event, context) => {
          events.push(event);
          contexts.push({
            functionName: context.functionName,
            remaining: context.getRemainingTimeInMillis(),
            requestId: context.awsRequestId,
          });
        },
      },
    ]).start();
    await pump?.drain();

    const [insert, modify, ...others] = events.flatMap((event) => event.Records);
    expect(others).toEqual([]);
    const image = { PK: S('IMAGE#1'), SK: S('A'), TYPE: S('COMPACTION_RUN'), blob: { B: 'AQID' } };
    expect(insert).toStrictEqual({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      dynamodb: {
        ApproximateCreationDateTime: expect.any(Number),
        Keys: { PK: S('IMAGE#1'), SK: S('A') },
        NewImage: { ...image, merged: N(5) },
        SequenceNumber: expect.stringMatching(/^\d+$/),
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: table.streamArn,
    });
    expect(modify?.eventName).toBe('MODIFY');
    expect(modify?.dynamodb?.OldImage).toStrictEqual({ ...image, merged: N(5) });
    expect(modify?.dynamodb?.NewImage).toStrictEqual({ ...image, merged: N(6) });
    // Epoch seconds (DynamoDB Local truncates to the minute), not a Date and not milliseconds.
    const seconds = insert?.dynamodb?.ApproximateCreationDateTime ?? 0;
    expect(Number.isInteger(seconds)).toBe(true);
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(120);
    expect(JSON.parse(JSON.stringify(events))).toStrictEqual(events);

    expect(contexts[0]?.functionName).toBe('compactor');
    expect(contexts[0]?.remaining).toBeGreaterThan(0);
    expect(contexts[0]?.remaining).toBeLessThanOrEqual(30_000);
    expect(contexts[0]?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(pump?.stats().compactor).toEqual({
      invocations: events.length,
      recordsDelivered: 2,
      retries: 0,
      recordsSentToOnFailure: 0,
      recordsAgedOut: 0,
      recordsFiltered: 0,
      batchesBisected: 0,
      concurrentBatchesHighWater: 1,
      batchesPerLane: [events.length],
      recordLatencyMs: [expect.any(Number), expect.any(Number)],
      recordWaitMs: [expect.any(Number), expect.any(Number)],
    });
  });

  it('gives each subscription the whole stream, and a filtered one only the records its patterns match', async () => {
    const filtered: DynamoDBRecord[] = [];
    const all: DynamoDBRecord[] = [];
    await newPump([
      {
        name: 'event-mode',
        startingPosition: 'LATEST',
        filters: ['{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"TYPE":{"S":["COMPACTION_RUN"]}}}}'],
        handler: async (event) => {
          filtered.push(...event.Records);
        },
      },
      {
        name: 'everything',
        startingPosition: 'LATEST',
        handler: async (event) => {
          all.push(...event.Records);
        },
      },
    ]).start();
    await put({ PK: S('RUN'), SK: S('A'), TYPE: S('COMPACTION_RUN'), lines_state: S('PENDING') });
    await setField('RUN', 'lines_state', S('COMPLETED'));
    await put({ PK: S('LABEL'), SK: S('A'), TYPE: S('RECEIPT_WORD_LABEL') });
    await setField('LABEL', 'status', S('VALID'));
    await pump?.drain();

    expect(filtered.map((record) => [record.eventName, pkOf(record)])).toEqual([['MODIFY', 'RUN']]);
    expect(filtered[0]?.dynamodb?.NewImage?.lines_state).toEqual(S('COMPLETED'));
    expect(all.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'INSERT', 'MODIFY']);
    expect(pump?.stats()['event-mode']).toMatchObject({ recordsDelivered: 1, recordsFiltered: 3 });
    expect(pump?.stats().everything).toMatchObject({ recordsDelivered: 4, recordsFiltered: 0 });
  });

  it('re-delivers from the lowest failed record of a batchItemFailures response, not before it', async () => {
    await writeItems('k1', 'k2', 'k3', 'k4', 'k5');
    await streamHolds(5);
    const calls: DynamoDBStreamEvent[] = [];
    await newPump([
      {
        name: 'partial',
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10,
        handler: async (event): Promise<DynamoDBBatchResponse | undefined> => {
          calls.push(event);
          if (calls.length > 1) return undefined;
          const failed = [event.Records[4], event.Records[2]].map(
            (record) => record?.dynamodb?.SequenceNumber ?? '',
          );
          return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
        },
      },
    ]).start();
    await pump?.drain();

    expect(calls.map((event) => event.Records.map(pkOf))).toEqual([
      ['k1', 'k2', 'k3', 'k4', 'k5'],
      ['k3', 'k4', 'k5'],
    ]);
    expect(sequences(calls[1] as DynamoDBStreamEvent)).toEqual(
      sequences(calls[0] as DynamoDBStreamEvent).slice(2),
    );
    expect(pump?.stats().partial).toMatchObject({ invocations: 2, recordsDelivered: 8, retries: 1 });
  });

  it('re-delivers the whole batch to a handler that throws', async () => {
    await writeItems('t1', 't2', 't3');
    await streamHolds(3);
    const calls: DynamoDBStreamEvent[] = [];
    await newPump([
      {
        name: 'thrower',
        startingPosition: 'TRIM_HORIZON',
        handler: async (event) => {
          calls.push(event);
          if (calls.length === 1) throw new Error('transient');
        },
      },
    ]).start();
    await pump?.drain();

    expect(calls).toHaveLength(2);
    expect(calls[0]?.Records.map(pkOf)).toEqual(['t1', 't2', 't3']);
    expect(calls[1]).toStrictEqual(calls[0]);
    expect(pump?.stats().thrower).toMatchObject({ invocations: 2, retries: 1, recordsSentToOnFailure: 0 });
  });

  it('sends a poison record to onFailure after maximumRetryAttempts, and later records still flow', async () => {
    await writeItems('a', 'poison', 'b', 'c');
    await streamHolds(4);
    const handled: string[] = [];
    const failures: { pks: (string | undefined)[]; error: unknown; attempts: number }[] = [];
    await newPump([
      {
        name: 'compactor',
        startingPosition: 'TRIM_HORIZON',
        batchSize: 1,
        maximumRetryAttempts: 2,
        handler: async (event) => {
          const pk = pkOf(event.Records[0] as DynamoDBRecord) ?? '?';
          handled.push(pk);
          if (pk === 'poison') throw new Error('cannot merge');
        },
        onFailure: (records, error, info) => {
          failures.push({ pks: records.map(pkOf), error, attempts: info.attempts });
        },
      },
    ]).start();
    await pump?.drain();

    expect(handled).toEqual(['a', 'poison', 'poison', 'poison', 'b', 'c']);
    expect(failures).toEqual([{ pks: ['poison'], error: new Error('cannot merge'), attempts: 3 }]);
    expect(pump?.stats().compactor).toMatchObject({ invocations: 6, retries: 2, recordsSentToOnFailure: 1 });
  });

  it('gives up on the rest of the failing batch with the poison record, as Lambda does', async () => {
    await writeItems('a', 'poison', 'b');
    await streamHolds(3);
    const calls: (string | undefined)[][] = [];
    const givenUp: (string | undefined)[][] = [];
    await newPump([
      {
        name: 'partial',
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 1,
        handler: async (event) => {
          calls.push(event.Records.map(pkOf));
          const poison = event.Records.find((record) => pkOf(record) === 'poison');
          return {
            batchItemFailures: poison ? [{ itemIdentifier: poison.dynamodb?.SequenceNumber ?? '' }] : [],
          };
        },
        onFailure: (records) => {
          givenUp.push(records.map(pkOf));
        },
      },
    ]).start();
    await pump?.drain();
    await writeItems('c');
    await pump?.drain();

    expect(calls).toEqual([['a', 'poison', 'b'], ['poison', 'b'], ['c']]);
    expect(givenUp).toEqual([['poison', 'b']]);
  });

  it('keeps each item in order through failures, partial failures and duplicate deliveries', async () => {
    const applied = new Map<string, number>();
    const violations: string[] = [];
    let duplicates = 0;
    let calls = 0;
    await newPump([
      {
        name: 'flaky',
        startingPosition: 'LATEST',
        batchSize: 4,
        maximumRetryAttempts: Number.POSITIVE_INFINITY,
        redeliver: true,
        handler: async (event): Promise<DynamoDBBatchResponse | undefined> => {
          calls++;
          if (calls % 3 === 0) throw new Error('flaky');
          const failAt = calls % 5 === 0 ? Math.floor(event.Records.length / 2) : -1;
          for (const [index, record] of event.Records.entries()) {
            if (index === failAt)
              return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
            const pk = pkOf(record) ?? '?';
            const version = Number(record.dynamodb?.NewImage?.version?.N);
            const last = applied.get(pk) ?? 0;
            if (version <= last) duplicates++;
            else if (version !== last + 1) violations.push(`${pk}: ${version} after ${last}`);
            else applied.set(pk, version);
          }
          return undefined;
        },
      },
    ]).start();
    for (let version = 1; version <= 12; version++) {
      await put({ PK: S('X'), SK: S('A'), version: N(version) });
      await put({ PK: S('Y'), SK: S('A'), version: N(version) });
    }
    await pump?.drain({ timeoutMs: 20_000 });

    expect(violations).toEqual([]);
    expect(Object.fromEntries(applied)).toEqual({ X: 12, Y: 12 });
    expect(duplicates).toBeGreaterThan(0);
    expect(pump?.stats().flaky?.retries).toBeGreaterThan(0);
  });

  it('stop() waits for the handler in flight, cuts pauses short and leaves no timer; nothing runs after it', async () => {
    const timersBefore = await baselineTimeouts();
    let handlerStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      handlerStarted = resolve;
    });
    let handlerFinished = false;
    const delivered: string[] = [];
    await newPump(
      [
        {
          // Sits in a retry pause longer than the test's timeout after each failure: stop() returns at all only if
          // it cuts the pause short, and must clear its timer.
          name: 'failing',
          startingPosition: 'LATEST',
          maximumRetryAttempts: Number.POSITIVE_INFINITY,
          handler: async () => {
            throw new Error('always');
          },
        },
        {
          name: 'slow',
          startingPosition: 'LATEST',
          handler: async (event) => {
            delivered.push(...event.Records.map((record) => pkOf(record) ?? '?'));
            if (event.Records.some((record) => pkOf(record) === 'slow')) {
              handlerStarted();
              await sleep(300);
              handlerFinished = true;
            }
          },
        },
      ],
      600_000,
    );
    await pump?.start();
    await writeItems('first', 'slow');
    await started;
    await expect.poll(() => pump?.stats().failing?.invocations).toBe(1);
    await pump?.stop();
    expect(handlerFinished).toBe(true);
    // A leaked pause would hold its timer for 10 minutes; vitest's transient ones clear within the poll.
    await expect.poll(activeTimeouts, { timeout: 2_000, interval: 20 }).toBeLessThanOrEqual(timersBefore);

    const stats = pump?.stats();
    await writeItems('after-stop');
    await sleep(200);
    expect(pump?.stats()).toEqual(stats);
    expect(delivered).toEqual(['first', 'slow']);
  });

  it('drain() rejects after its timeout while a subscription cannot catch up', async () => {
    await newPump([
      {
        name: 'stuck',
        startingPosition: 'LATEST',
        maximumRetryAttempts: Number.POSITIVE_INFINITY,
        handler: async () => {
          throw new Error('always');
        },
      },
    ]).start();
    await writeItems('never-done');
    await expect(pump?.drain({ timeoutMs: 500 })).rejects.toThrow(
      /drain timed out after 500 ms; still busy: stuck/,
    );
  });
});
