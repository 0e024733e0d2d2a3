import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeStream, fakePump } from './fake-stream.test-support.js';
import { laneOf } from './lane-of.js';
import { MAX_PAYLOAD_BYTES } from './shard-lane.js';
import type { FailureInfo, StreamPump, StreamPumpOptions, StreamSubscription } from './stream-pump.js';

const idOf = (record: DynamoDBRecord) => record.eventID ?? '?';
const ids = (event: DynamoDBStreamEvent) => event.Records.map(idOf);
const pkRecord = (pk: string) => ({ dynamodb: { Keys: { PK: { S: pk } } } });

/** `count` partition keys, each landing on the lane `lane` of `lanes`. */
const keysOnLane = (lane: number, lanes: number, count: number, prefix = 'k') => {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++)
    if (laneOf(pkRecord(`${prefix}${i}`), lanes) === lane) keys.push(`${prefix}${i}`);
  return keys;
};

let pump: StreamPump | undefined;
const start = async (
  stream: FakeStream,
  subscription: Partial<StreamSubscription> & Pick<StreamSubscription, 'handler'>,
  options: Partial<StreamPumpOptions> = {},
) => {
  pump = fakePump(stream, [{ name: 'lanes', startingPosition: 'TRIM_HORIZON', ...subscription }], options);
  await pump.start();
  return pump;
};
const oneShard = () => new FakeStream([{ id: 'only', records: [], closed: false }]);

afterEach(async () => {
  await pump?.stop();
  pump = undefined;
});

describe('parallelizationFactor', () => {
  it('keeps each item in order on one lane while other items run at the same time', async () => {
    const stream = oneShard();
    const items = Array.from({ length: 12 }, (_, i) => `item${i}`);
    for (let version = 1; version <= 4; version++)
      stream.putRecords('only', ...items.map((pk) => ({ id: `${pk}@${version}`, pk })));
    const seen = new Map<string, number[]>();
    let active = 0;
    let overlapped: () => void = () => {};
    const overlap = new Promise<void>((resolve) => {
      overlapped = resolve;
    });
    let first = true;
    const started = await start(stream, {
      parallelizationFactor: 4,
      batchSize: 3,
      handler: async (event) => {
        active++;
        if (active > 1) overlapped();
        // The first batch does not finish before another lane's batch has started (2 s only as a fail-safe).
        if (first) {
          first = false;
          await Promise.race([overlap, sleep(2_000)]);
        }
        for (const id of ids(event)) {
          const [pk = '', version] = id.split('@');
          seen.set(pk, [...(seen.get(pk) ?? []), Number(version)]);
        }
        active--;
      },
    });
    await started.drain({ idleMs: 50 });

    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(items.map((pk) => [pk, [1, 2, 3, 4]])));
    const stats = started.stats().lanes;
    expect(stats?.concurrentBatchesHighWater).toBeGreaterThan(1);
    expect(stats?.batchesPerLane).toHaveLength(4);
    expect(stats?.batchesPerLane.filter((batches) => batches > 0).length).toBeGreaterThan(1);
    expect(stats?.recordsDelivered).toBe(48);
  });

  it('runs ten lanes on each of several shards without a listener-leak warning', async () => {
    const stream = new FakeStream(['s1', 's2'].map((id) => ({ id, records: [], closed: false })));
    for (const shard of ['s1', 's2'])
      stream.put(shard, ...Array.from({ length: 60 }, (_, i) => `${shard}-${i}`));
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const started = await start(stream, {
        parallelizationFactor: 10,
        batchSize: 2,
        maximumBatchingWindowInSeconds: 1,
        handler: async () => {
          await sleep(5);
        },
      });
      await started.drain({ idleMs: 50 });
      await sleep(10);
      expect(started.stats().lanes?.recordsDelivered).toBe(120);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((warning) => warning.message)).toEqual([]);
  });

  it('orders by item (partition and sort key): one partition key with two sort keys may use two lanes', () => {
    const lanes = new Set(
      Array.from({ length: 40 }, (_, i) =>
        laneOf({ dynamodb: { Keys: { PK: { S: 'IMAGE#1' }, SK: { S: `WORD#${i}` } } } }, 10),
      ),
    );
    expect(lanes.size).toBeGreaterThan(1);
  });

  it('holds back only the failing lane; the checkpoint never passes its failed record', async () => {
    const stream = oneShard();
    const [poison = ''] = keysOnLane(0, 2, 1, 'poison');
    const others = keysOnLane(1, 2, 3, 'other');
    stream.putRecords('only', { id: 'p@1', pk: poison });
    stream.putRecords('only', ...others.map((pk) => ({ id: `${pk}@1`, pk })));
    stream.putRecords('only', { id: 'p@2', pk: poison });
    let failing = true;
    const handled: string[] = [];
    const started = await start(stream, {
      parallelizationFactor: 2,
      maximumRetryAttempts: -1,
      handler: async (event) => {
        if (failing && ids(event).includes('p@1')) throw new Error('poison');
        handled.push(...ids(event));
      },
    });
    await expect.poll(() => handled.length).toBe(others.length);
    await expect.poll(() => started.stats().lanes?.retries).toBeGreaterThan(2);
    expect(handled).not.toContain('p@2');
    // p@1 is the shard's first record: nothing is checkpointed while it fails, however far the other lane went.
    expect(started.checkpoints().lanes).toEqual({ only: undefined });

    failing = false;
    await started.drain({ idleMs: 50 });
    expect(handled.filter((id) => id.startsWith('p@'))).toEqual(['p@1', 'p@2']);
    expect(started.checkpoints().lanes).toEqual({ only: '000000000000000000005' });
  });

  it('stops reading the shard once the failing lane has a full batch waiting, so the shard is held up', async () => {
    const stream = new FakeStream([{ id: 'only', records: [], closed: false, pageSize: 1 }]);
    const poisoned = keysOnLane(0, 2, 3, 'p');
    const others = keysOnLane(1, 2, 3, 'o');
    stream.putRecords(
      'only',
      ...poisoned.map((pk) => ({ id: pk, pk })),
      ...others.map((pk) => ({ id: pk, pk })),
    );
    let failing = true;
    const handled: string[] = [];
    const started = await start(stream, {
      parallelizationFactor: 2,
      batchSize: 1,
      maximumRetryAttempts: -1,
      handler: async (event) => {
        if (failing && ids(event).includes(poisoned[0] ?? '')) throw new Error('poison');
        handled.push(...ids(event));
      },
    });
    await expect.poll(() => started.stats().lanes?.retries).toBeGreaterThan(5);
    // The poison lane holds its failing batch and a full batch behind it; the records after them stay unread.
    expect(handled).toEqual([]);
    expect(stream.reads).toBe(2);

    failing = false;
    await started.drain({ idleMs: 50 });
    expect(handled.filter((id) => poisoned.includes(id))).toEqual(poisoned);
    expect(handled.filter((id) => others.includes(id))).toEqual(others);
  });

  it('retries a partial failure from the lowest failed record of that lane only', async () => {
    const stream = oneShard();
    const laneA = keysOnLane(0, 2, 3, 'a');
    const laneB = keysOnLane(1, 2, 2, 'b');
    stream.putRecords('only', ...[...laneA, ...laneB].map((pk) => ({ id: pk, pk })));
    const calls: string[][] = [];
    const started = await start(stream, {
      parallelizationFactor: 2,
      batchSize: 10,
      handler: async (event): Promise<DynamoDBBatchResponse | undefined> => {
        calls.push(ids(event));
        const failed = event.Records.filter((record) => idOf(record) === laneA[1] && calls.length <= 2);
        return {
          batchItemFailures: failed.map((record) => ({
            itemIdentifier: record.dynamodb?.SequenceNumber ?? '',
          })),
        };
      },
    });
    await started.drain({ idleMs: 50 });

    expect(calls.filter((call) => call.includes(laneB[0] ?? ''))).toEqual([laneB]);
    expect(calls.filter((call) => call.includes(laneA[2] ?? ''))).toEqual([laneA, laneA.slice(1)]);
    expect(started.stats().lanes).toMatchObject({ invocations: 3, retries: 1, recordsSentToOnFailure: 0 });
  });
});

describe('maximumBatchingWindowInSeconds', () => {
  it('gathers records read over several polls into one batch until the batch is full', async () => {
    const stream = oneShard();
    stream.put('only', 'r1');
    const calls: string[][] = [];
    const started = await start(stream, {
      batchSize: 3,
      maximumBatchingWindowInSeconds: 300,
      handler: async (event) => {
        calls.push(ids(event));
      },
    });
    await expect.poll(() => stream.reads).toBeGreaterThan(2);
    expect(calls).toEqual([]);
    stream.put('only', 'r2', 'r3', 'r4');
    await expect.poll(() => calls.length).toBe(1);
    expect(calls).toEqual([['r1', 'r2', 'r3']]);
    expect(started.stats().lanes?.recordsDelivered).toBe(3);
  });

  it('invokes with what it gathered when the window ends', async () => {
    const stream = oneShard();
    stream.put('only', 'r1');
    const calls: string[][] = [];
    const started = await start(stream, {
      batchSize: 100,
      maximumBatchingWindowInSeconds: 1,
      handler: async (event) => {
        calls.push(ids(event));
      },
    });
    await expect.poll(() => stream.reads).toBeGreaterThan(1);
    stream.put('only', 'r2');
    await started.drain({ idleMs: 50 });
    expect(calls.flat()).toEqual(['r1', 'r2']);
  });

  it('stop() ends a lane waiting out its window at once, leaving the gathered records undelivered', async () => {
    const stream = oneShard();
    stream.put('only', 'r1');
    const calls: string[][] = [];
    const started = await start(stream, {
      maximumBatchingWindowInSeconds: 300,
      handler: async (event) => {
        calls.push(ids(event));
      },
    });
    await expect.poll(() => stream.reads).toBeGreaterThan(1);
    await started.stop();
    expect(calls).toEqual([]);
    expect(started.checkpoints().lanes).toEqual({ only: undefined });
  });

  it('without a window, invokes as soon as a record is read', async () => {
    const stream = oneShard();
    stream.put('only', 'r1');
    const calls: string[][] = [];
    const started = await start(stream, {
      batchSize: 100,
      handler: async (event) => {
        calls.push(ids(event));
      },
    });
    await expect.poll(() => calls.length).toBe(1);
    stream.put('only', 'r2');
    await started.drain({ idleMs: 50 });
    expect(calls).toEqual([['r1'], ['r2']]);
  });

  it('keeps every event under the 6 MB payload limit, whatever the batch size', async () => {
    const stream = oneShard();
    const blob = { S: 'x'.repeat(1_000_000) };
    stream.putRecords('only', ...Array.from({ length: 7 }, (_, i) => ({ id: `big${i}`, image: { blob } })));
    const sizes: number[] = [];
    const bytes: number[] = [];
    const started = await start(stream, {
      batchSize: 100,
      handler: async (event) => {
        sizes.push(event.Records.length);
        bytes.push(Buffer.byteLength(JSON.stringify(event)));
      },
    });
    await started.drain({ idleMs: 50 });
    expect(sizes).toEqual([6, 1]);
    for (const size of bytes) expect(size).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });
});

describe('bisectBatchOnFunctionError', () => {
  const poisonAt = (index: number, calls: string[][]) => async (event: DynamoDBStreamEvent) => {
    calls.push(ids(event));
    if (ids(event).includes(`r${index}`)) throw new Error(`r${index} is poison`);
  };

  it('splits a failing batch in halves down to the poison record, then spends the retries on it alone', async () => {
    const stream = oneShard();
    stream.put('only', ...Array.from({ length: 8 }, (_, i) => `r${i}`));
    const calls: string[][] = [];
    const failures: { ids: string[]; info: FailureInfo; error: unknown }[] = [];
    const started = await start(stream, {
      batchSize: 8,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 1,
      handler: poisonAt(5, calls),
      onFailure: (records, error, info) => {
        failures.push({ ids: records.map(idOf), info, error });
      },
    });
    await started.drain({ idleMs: 50 });

    expect(calls).toEqual([
      ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'],
      ['r0', 'r1', 'r2', 'r3'],
      ['r4', 'r5', 'r6', 'r7'],
      ['r4', 'r5'],
      ['r4'],
      ['r5'],
      ['r5'],
      ['r6', 'r7'],
    ]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.ids).toEqual(['r5']);
    expect(failures[0]?.error).toEqual(new Error('r5 is poison'));
    expect(failures[0]?.info).toMatchObject({ attempts: 2, condition: 'RetryAttemptsExhausted' });
    expect(failures[0]?.info.invocationRecord.responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    expect(started.stats().lanes).toMatchObject({
      batchesBisected: 3,
      retries: 1,
      recordsSentToOnFailure: 1,
    });
  });

  it('does not bisect a partial batch response: it retries from the reported record', async () => {
    const stream = oneShard();
    stream.put('only', 'r0', 'r1', 'r2', 'r3');
    const calls: string[][] = [];
    const started = await start(stream, {
      bisectBatchOnFunctionError: true,
      handler: async (event) => {
        calls.push(ids(event));
        const bad = calls.length === 1 ? event.Records[2] : undefined;
        return { batchItemFailures: bad ? [{ itemIdentifier: bad.dynamodb?.SequenceNumber ?? '' }] : [] };
      },
    });
    await started.drain({ idleMs: 50 });
    expect(calls).toEqual([
      ['r0', 'r1', 'r2', 'r3'],
      ['r2', 'r3'],
    ]);
    expect(started.stats().lanes?.batchesBisected).toBe(0);
  });
});

describe('maximumRecordAgeInSeconds', () => {
  const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
  const seconds = (ms: number) => Math.floor(ms / 1000);

  it('gives records older than the limit to the on-failure destination without invoking the function', async () => {
    const stream = oneShard();
    stream.putRecords(
      'only',
      { id: 'old1', createdAt: seconds(NOW - 120_000) },
      { id: 'old2', createdAt: seconds(NOW - 61_000) },
      { id: 'fresh', createdAt: seconds(NOW - 30_000) },
    );
    const calls: string[][] = [];
    const failures: { ids: string[]; info: FailureInfo }[] = [];
    const started = await start(
      stream,
      {
        maximumRecordAgeInSeconds: 60,
        handler: async (event) => {
          calls.push(ids(event));
        },
        onFailure: (records, _error, info) => {
          failures.push({ ids: records.map(idOf), info });
        },
      },
      { now: () => NOW },
    );
    await started.drain({ idleMs: 50 });

    expect(calls).toEqual([['fresh']]);
    expect(failures.map((failure) => failure.ids)).toEqual([['old1', 'old2']]);
    expect(failures[0]?.info).toMatchObject({ attempts: 0, condition: 'RecordAgeExceeded' });
    expect(failures[0]?.info.invocationRecord.requestContext).toMatchObject({
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 0,
    });
    expect(failures[0]?.info.invocationRecord.responseContext).toBeUndefined();
    expect(started.stats().lanes).toMatchObject({
      recordsAgedOut: 2,
      recordsSentToOnFailure: 2,
      invocations: 1,
    });
  });

  it('stops retrying a failing record once it is too old, whatever the retry budget left', async () => {
    const stream = oneShard();
    stream.putRecords('only', { id: 'stuck', createdAt: seconds(NOW) });
    let clock = NOW;
    let calls = 0;
    const failures: FailureInfo[] = [];
    const started = await start(
      stream,
      {
        maximumRecordAgeInSeconds: 3600,
        maximumRetryAttempts: -1,
        handler: async () => {
          calls++;
          if (calls === 3) clock += 3601_000;
          throw new Error('still failing');
        },
        onFailure: (_records, _error, info) => {
          failures.push(info);
        },
      },
      { now: () => clock },
    );
    await started.drain({ idleMs: 50 });
    expect(calls).toBe(3);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ attempts: 3, condition: 'RecordAgeExceeded' });
    expect(failures[0]?.invocationRecord.responseContext?.functionError).toBe('Unhandled');
  });
});

describe('latency stats', () => {
  it('records, per record at its first delivery, the time since its creation and since it was read', async () => {
    const stream = oneShard();
    const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
    stream.putRecords(
      'only',
      { id: 'a', createdAt: (NOW - 5_000) / 1000 },
      { id: 'b', createdAt: (NOW - 2_000) / 1000 },
    );
    let calls = 0;
    const started = await start(
      stream,
      {
        maximumRetryAttempts: 1,
        handler: async () => {
          calls++;
          if (calls === 1) throw new Error('once');
        },
      },
      { now: () => NOW },
    );
    await started.drain({ idleMs: 50 });
    const stats = started.stats().lanes;
    expect(stats?.recordLatencyMs).toEqual([5_000, 2_000]);
    expect(stats?.recordWaitMs).toEqual([0, 0]);
    expect(stats?.recordsDelivered).toBe(4);
  });
});
