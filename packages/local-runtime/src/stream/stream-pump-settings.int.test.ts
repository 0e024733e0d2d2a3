import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { firstShardId, freshStreamTable, streamHolds } from '../../test/stream-table.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dynamodb-local/dynamodb-local.js';
import { laneOf } from './lane-of.js';
import { onFailureFile, readOnFailureFile } from './on-failure-file.js';
import { readFailedBatch } from './read-failed-batch.js';
import { AttributeValueLostError } from './stream-errors.js';
import {
  type FailureInfo,
  StreamPump,
  type StreamPumpOptions,
  type StreamSubscription,
} from './stream-pump.js';

type Item = Record<string, AttributeValue>;
type Table = Awaited<ReturnType<typeof freshStreamTable>>;

const S = (value: string) => ({ S: value });
const N = (value: number) => ({ N: String(value) });
const pkOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.PK?.S ?? '?';
const pks = (event: DynamoDBStreamEvent) => event.Records.map(pkOf);
/** `count` partition keys whose items (sort key `A`) land on lane `lane` of `lanes`. */
const keysOnLane = (lane: number, lanes: number, count: number, prefix: string) => {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const pk = `${prefix}${i}`;
    if (laneOf({ dynamodb: { Keys: { PK: S(pk), SK: S('A') } } }, lanes) === lane) keys.push(pk);
  }
  return keys;
};

describe('StreamPump settings on DynamoDB Local', () => {
  let table: Table;
  let streams: DynamoDBStreamsClient;
  let pump: StreamPump | undefined;
  let dir: string;
  const errors: unknown[] = [];

  beforeEach(async () => {
    table = await freshStreamTable('settings');
    streams = new DynamoDBStreamsClient({
      endpoint: inject('dynamoEndpoint'),
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    dir = await mkdtemp(join(tmpdir(), 'pump-settings-'));
    errors.length = 0;
  });

  afterEach(async () => {
    await pump?.stop();
    pump = undefined;
    streams.destroy();
    await table.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (
    subscription: Partial<StreamSubscription> & Pick<StreamSubscription, 'handler'>,
    options: Partial<StreamPumpOptions> = {},
  ) => {
    pump = new StreamPump(
      {
        streamsClient: streams,
        streamArn: table.streamArn,
        region: LOCAL_REGION,
        pollIntervalMs: 50,
        retryDelayMs: 20,
        onError: (error) => errors.push(error),
        ...options,
      },
      [{ name: 'fn', startingPosition: 'TRIM_HORIZON', ...subscription }],
    );
    await pump.start();
    return pump;
  };
  const put = (item: Item, into: Table = table) =>
    into.client.send(new PutItemCommand({ TableName: into.tableName, Item: item }));
  const writeItems = async (...keys: string[]) => {
    for (const pk of keys) await put({ PK: S(pk), SK: S('A') });
  };

  it('with parallelizationFactor, keeps each item in order while several batches run at once', async () => {
    const items = Array.from({ length: 24 }, (_, i) => `item${i}`);
    for (let version = 1; version <= 4; version++)
      for (const pk of items) await put({ PK: S(pk), SK: S('A'), version: N(version) });
    await streamHolds(streams, table.streamArn, items.length * 4);
    const versions = new Map<string, number[]>();
    let active = 0;
    let overlapped: () => void = () => {};
    const overlap = new Promise<void>((resolve) => {
      overlapped = resolve;
    });
    let first = true;
    const started = await start({
      parallelizationFactor: 5,
      batchSize: 4,
      handler: async (event) => {
        active++;
        if (active > 1) overlapped();
        if (first) {
          first = false;
          // Finishes only once another lane's batch has started (the 2 s is a fail-safe, not a measure).
          await Promise.race([overlap, sleep(2_000)]);
        }
        for (const record of event.Records) {
          const pk = pkOf(record);
          versions.set(pk, [...(versions.get(pk) ?? []), Number(record.dynamodb?.NewImage?.version?.N)]);
        }
        active--;
      },
    });
    await started.drain({ timeoutMs: 20_000 });

    expect(Object.fromEntries(versions)).toEqual(Object.fromEntries(items.map((pk) => [pk, [1, 2, 3, 4]])));
    const stats = started.stats().fn;
    expect(stats?.concurrentBatchesHighWater).toBeGreaterThan(1);
    expect(stats?.batchesPerLane.filter((batches) => batches > 0).length).toBeGreaterThan(1);
    expect(stats?.recordLatencyMs).toHaveLength(items.length * 4);
    expect(started.checkpoints().fn).toEqual({
      [await firstShardId(streams, table.streamArn)]: expect.any(String),
    });
    started.resetStats();
    expect(started.stats().fn).toMatchObject({
      invocations: 0,
      recordsDelivered: 0,
      concurrentBatchesHighWater: 0,
      recordLatencyMs: [],
      recordWaitMs: [],
    });
    expect(started.stats().fn?.batchesPerLane).toEqual(stats?.batchesPerLane.map(() => 0));
  });

  it('gathers records written one by one into one batch while the batching window is open', async () => {
    const calls: string[][] = [];
    const started = await start({
      startingPosition: 'LATEST',
      batchSize: 5,
      maximumBatchingWindowInSeconds: 300,
      handler: async (event) => {
        calls.push(pks(event));
      },
    });
    await writeItems('w1', 'w2', 'w3', 'w4', 'w5', 'w6');
    await expect.poll(() => calls.length, { timeout: 10_000 }).toBe(1);
    expect(calls).toEqual([['w1', 'w2', 'w3', 'w4', 'w5']]);
    expect(started.stats().fn?.recordsDelivered).toBe(5);
  });

  it('delivers what it gathered once the batching window ends', async () => {
    const delivered: string[] = [];
    const started = await start({
      startingPosition: 'LATEST',
      batchSize: 100,
      maximumBatchingWindowInSeconds: 1,
      handler: async (event) => {
        delivered.push(...pks(event));
      },
    });
    await writeItems('g1', 'g2', 'g3');
    await started.drain();
    expect(delivered).toEqual(['g1', 'g2', 'g3']);
  });

  it('bisects a batch that throws down to its poison record, and sends only that to the on-failure file', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `b${i}`);
    await writeItems(...keys);
    await streamHolds(streams, table.streamArn, 8);
    const calls: string[][] = [];
    const path = join(dir, 'failures.jsonl');
    const started = await start({
      batchSize: 8,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 1,
      handler: async (event) => {
        calls.push(pks(event));
        if (pks(event).includes('b5')) throw new Error('b5 is poison');
      },
      onFailure: onFailureFile(path),
    });
    await started.drain();

    expect(calls).toEqual([
      keys,
      keys.slice(0, 4),
      keys.slice(4),
      ['b4', 'b5'],
      ['b4'],
      ['b5'],
      ['b5'],
      ['b6', 'b7'],
    ]);
    const [failure, ...more] = await readOnFailureFile(path);
    expect(more).toEqual([]);
    expect(failure?.DDBStreamBatchInfo).toMatchObject({
      shardId: await firstShardId(streams, table.streamArn),
      batchSize: 1,
      streamArn: table.streamArn,
    });
    expect(failure?.DDBStreamBatchInfo.startSequenceNumber).toBe(
      failure?.DDBStreamBatchInfo.endSequenceNumber,
    );
    expect(failure?.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
      functionArn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:fn`,
    });
    const back = await readFailedBatch(failure as NonNullable<typeof failure>, {
      streamsClient: streams,
      region: LOCAL_REGION,
    });
    expect(back.records.map(pkOf)).toEqual(['b5']);
    expect(started.stats().fn).toMatchObject({ batchesBisected: 3, retries: 1, recordsSentToOnFailure: 1 });
  });

  it('retries a partial failure from the failed record of its lane, while the other lane is not retried', async () => {
    const laneA = keysOnLane(0, 2, 3, 'a');
    const laneB = keysOnLane(1, 2, 3, 'b');
    await writeItems(...laneA, ...laneB);
    await streamHolds(streams, table.streamArn, 6);
    const calls: string[][] = [];
    const started = await start({
      parallelizationFactor: 2,
      batchSize: 10,
      handler: async (event): Promise<DynamoDBBatchResponse> => {
        calls.push(pks(event));
        const failed = calls.length <= 2 ? event.Records.filter((record) => pkOf(record) === laneA[1]) : [];
        return {
          batchItemFailures: failed.map((record) => ({
            itemIdentifier: record.dynamodb?.SequenceNumber ?? '',
          })),
        };
      },
    });
    await started.drain();
    expect(calls.filter((call) => laneB.includes(call[0] ?? ''))).toEqual([laneB]);
    expect(calls.filter((call) => call.includes(laneA[2] ?? ''))).toEqual([laneA, laneA.slice(1)]);
    expect(started.stats().fn).toMatchObject({ invocations: 3, retries: 1 });
  });

  it('gives records older than maximumRecordAgeInSeconds to the on-failure file without invoking, to be read back', async () => {
    await writeItems('old1', 'old2', 'old3');
    await streamHolds(streams, table.streamArn, 3);
    const path = join(dir, 'aged.jsonl');
    const given: { records: DynamoDBRecord[]; info: FailureInfo }[] = [];
    const file = onFailureFile(path);
    let invoked = 0;
    const started = await start(
      {
        maximumRecordAgeInSeconds: 60,
        handler: async () => {
          invoked++;
        },
        onFailure: async (records, error, info) => {
          given.push({ records, info });
          await file(records, error, info);
        },
      },
      // Ten minutes from now: every record is older than a minute.
      { now: () => Date.now() + 600_000 },
    );
    await started.drain();

    expect(invoked).toBe(0);
    const failures = await readOnFailureFile(path);
    expect(failures).toEqual(given.map(({ info }) => info.invocationRecord));
    expect(failures.map((failure) => failure.requestContext)).toEqual([
      expect.objectContaining({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 }),
    ]);
    expect(failures[0]?.responseContext).toBeUndefined();
    expect(failures[0]?.DDBStreamBatchInfo.batchSize).toBe(3);
    const back = await readFailedBatch(failures[0] as NonNullable<(typeof failures)[0]>, {
      streamsClient: streams,
      region: LOCAL_REGION,
    });
    expect(back).toEqual({ records: given[0]?.records, complete: true });
    expect(back.records.map(pkOf)).toEqual(['old1', 'old2', 'old3']);
    expect(started.stats().fn).toMatchObject({
      recordsAgedOut: 3,
      recordsSentToOnFailure: 3,
      invocations: 0,
    });
  });

  it('survives items whose attributes are named __proto__, constructor or prototype, at any depth', async () => {
    const hostile = JSON.parse(`{
      "PK": {"S": "hostile"}, "SK": {"S": "A"},
      "__proto__": {"M": {"polluted": {"S": "yes"}}},
      "constructor": {"S": "c"},
      "extractedData": {"M": {
        "__proto__": {"M": {"polluted": {"S": "yes"}}},
        "constructor": {"M": {"prototype": {"S": "p"}}},
        "prototype": {"L": [{"M": {"toString": {"S": "t"}, "__proto__": {"S": "x"}}}]}
      }}
    }`);
    await put(hostile);
    await writeItems('after');
    const events: DynamoDBRecord[] = [];
    const started = await start({
      filters: [
        '{"dynamodb":{"NewImage":{"constructor":{"S":["c"]}}}}',
        '{"dynamodb":{"Keys":{"PK":{"S":["after"]}}}}',
      ],
      handler: async (event) => {
        events.push(...event.Records);
      },
    });
    await started.drain();

    expect(events.map(pkOf)).toEqual(['hostile', 'after']);
    const image = events[0]?.dynamodb?.NewImage ?? {};
    expect(Object.hasOwn(image, 'constructor')).toBe(true);
    expect(JSON.stringify(image.constructor)).toBe('{"S":"c"}');
    expect(JSON.stringify(image.extractedData?.M?.constructor)).toBe('{"M":{"prototype":{"S":"p"}}}');
    expect(JSON.stringify(image.extractedData?.M?.prototype)).toBe('{"L":[{"M":{"toString":{"S":"t"}}}]}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The SDK's deserializer drops the value of every map key named __proto__; the pump says so and goes on.
    expect(errors).toEqual([expect.any(AttributeValueLostError)]);
    expect((errors[0] as AttributeValueLostError).paths).toEqual([
      'NewImage.__proto__',
      'NewImage.extractedData.__proto__',
      'NewImage.extractedData.prototype[0].__proto__',
    ]);
    expect(started.stats().fn).toMatchObject({ recordsDelivered: 2, retries: 0 });
  });

  it("reads on quietly when other tables' writes make DynamoDB Local call its empty shard trimmed", async () => {
    const delivered: string[] = [];
    const started = await start({
      handler: async (event) => {
        delivered.push(...pks(event));
      },
    });
    await sleep(200);
    const other = await freshStreamTable('other');
    try {
      await put({ PK: S('elsewhere'), SK: S('A') }, other);
      await put({ PK: S('elsewhere2'), SK: S('A') }, other);
      await writeItems('here');
      await started.drain();
    } finally {
      await other.drop();
    }
    expect(delivered).toEqual(['here']);
    expect(errors).toEqual([]);
  });
});
