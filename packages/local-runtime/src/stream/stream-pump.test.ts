import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeShard, FakeStream, fakePump, STREAM_ARN } from './fake-stream.test-support.js';
import { StreamRecordsTrimmedError } from './stream-errors.js';
import { StreamPump, type StreamPumpOptions, type StreamSubscription } from './stream-pump.js';

const delivered: string[] = [];
const recording = (overrides: Partial<StreamSubscription> = {}): StreamSubscription => ({
  name: 'recorder',
  startingPosition: 'TRIM_HORIZON',
  handler: async (event: DynamoDBStreamEvent) => {
    for (const record of event.Records) delivered.push(record.eventID ?? '?');
  },
  ...overrides,
});

let pump: StreamPump | undefined;
const startPump = async (
  stream: FakeStream,
  subscription: StreamSubscription,
  options: Partial<StreamPumpOptions> = {},
) => {
  pump = fakePump(stream, [subscription], options);
  await pump.start();
  return pump;
};

afterEach(async () => {
  await pump?.stop();
  pump = undefined;
  delivered.length = 0;
});

describe('StreamPump shard lineage (fake stream)', () => {
  it('reads a parent shard to its end before its child, whatever order DescribeStream lists them in', async () => {
    const stream = new FakeStream([
      { id: 'child', parent: 'parent', records: [], closed: false },
      { id: 'parent', records: [], closed: true },
    ]);
    stream.put('parent', 'p1', 'p2');
    stream.put('child', 'c1');
    await (await startPump(stream, recording({ batchSize: 1 }))).drain({ idleMs: 50 });
    expect(delivered).toEqual(['p1', 'p2', 'c1']);
  });

  it('with LATEST, skips closed shards and what open shards held before start', async () => {
    const stream = new FakeStream([
      { id: 'parent', records: [], closed: true },
      { id: 'child', parent: 'parent', records: [], closed: false },
    ]);
    stream.put('parent', 'old-parent');
    stream.put('child', 'old-child');
    const started = await startPump(stream, recording({ startingPosition: 'LATEST' }));
    stream.put('child', 'new');
    await started.drain({ idleMs: 50 });
    expect(delivered).toEqual(['new']);
  });

  it('follows a shard that closes while being read into its new child', async () => {
    const stream = new FakeStream([{ id: 'first', records: [], closed: false }]);
    stream.put('first', 'a1');
    const started = await startPump(stream, recording());
    await started.drain({ idleMs: 50 });
    stream.put('first', 'a2');
    stream.shards.push({ id: 'second', parent: 'first', records: [], closed: false });
    stream.put('second', 'b1');
    (stream.shards[0] as FakeShard).closed = true;
    await started.drain({ idleMs: 50 });
    expect(delivered).toEqual(['a1', 'a2', 'b1']);
  });
});

describe('StreamPump invocation semantics (fake stream)', () => {
  it('counts a handler that settles after its timeout as failed, and retries the batch', async () => {
    const stream = new FakeStream([{ id: 'only', records: [], closed: false }]);
    stream.put('only', 'slow');
    let calls = 0;
    const started = await startPump(
      stream,
      recording({
        timeoutMs: 20,
        handler: async (event, context) => {
          calls++;
          expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(20);
          if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 40));
          for (const record of event.Records) delivered.push(record.eventID ?? '?');
        },
      }),
    );
    await started.drain({ idleMs: 50 });
    expect(calls).toBe(2);
    expect(started.stats().recorder).toMatchObject({ invocations: 2, retries: 1, recordsSentToOnFailure: 0 });
  });

  it('hands each invocation its own copy of the records', async () => {
    const stream = new FakeStream([{ id: 'only', records: [], closed: false }]);
    stream.put('only', 'r1');
    const seen: string[] = [];
    const started = await startPump(
      stream,
      recording({
        handler: async (event) => {
          const record = event.Records[0];
          seen.push(record?.eventName ?? '?');
          if (record) record.eventName = 'REMOVE';
          if (seen.length === 1) throw new Error('retry me');
        },
      }),
    );
    await started.drain({ idleMs: 50 });
    expect(seen).toEqual(['INSERT', 'INSERT']);
  });
});

describe('StreamPump configuration', () => {
  const stream = new FakeStream([]);
  const options = { streamsClient: stream.client, streamArn: STREAM_ARN, region: 'us-east-1' };
  const refused = (subscription: Partial<StreamSubscription> & Record<string, unknown>) =>
    recording(subscription as Partial<StreamSubscription>);

  it.each([
    [[recording(), recording()], /two subscriptions are named recorder/],
    [[refused({ name: '' })], /a subscription's name must be 1 to 64 letters, digits, - or _/],
    [[refused({ name: 'has space' })], /got "has space"/],
    [[refused({ name: 'x'.repeat(65) })], /name must be 1 to 64/],
    [[refused({ handler: 'nope' as never })], /recorder: handler must be a function/],
    [[refused({ batchSize: 0 })], /recorder: batchSize must be an integer from 1 to 10000, got 0/],
    [[refused({ batchSize: 10_001 })], /batchSize must be an integer from 1 to 10000, got 10001/],
    [[refused({ batchSize: 1.5 })], /batchSize must be an integer/],
    [
      [refused({ parallelizationFactor: 0 })],
      /recorder: parallelizationFactor must be an integer from 1 to 10, got 0/,
    ],
    [
      [refused({ parallelizationFactor: 11 })],
      /parallelizationFactor must be an integer from 1 to 10, got 11/,
    ],
    [
      [refused({ maximumBatchingWindowInSeconds: 301 })],
      /recorder: maximumBatchingWindowInSeconds must be an integer from 0 to 300, got 301/,
    ],
    [[refused({ maximumBatchingWindowInSeconds: -1 })], /maximumBatchingWindowInSeconds must be an integer/],
    [[refused({ maximumBatchingWindowInSeconds: 0.5 })], /maximumBatchingWindowInSeconds must be an integer/],
    [
      [refused({ maximumRetryAttempts: -2 })],
      /maximumRetryAttempts must be -1 \(no limit\) or an integer from 0 to 10000/,
    ],
    [[refused({ maximumRetryAttempts: 10_001 })], /maximumRetryAttempts must be/],
    [
      [refused({ maximumRecordAgeInSeconds: 59 })],
      /recorder: maximumRecordAgeInSeconds must be -1 \(no limit\) or an integer from 60 to 604800, got 59/,
    ],
    [[refused({ maximumRecordAgeInSeconds: 0 })], /maximumRecordAgeInSeconds must be/],
    [[refused({ maximumRecordAgeInSeconds: 604_801 })], /maximumRecordAgeInSeconds must be/],
    [
      [refused({ bisectBatchOnFunctionError: 'yes' as never })],
      /bisectBatchOnFunctionError must be true or false/,
    ],
    [[refused({ timeoutMs: 900_001 })], /timeoutMs must be an integer from 1 to 900000/],
    [[refused({ onFailure: 'queue-arn' as never })], /onFailure must be a function/],
    [[refused({ paralellizationFactor: 2 })], /recorder: unknown setting paralellizationFactor/],
    [
      [recording({ filters: Array.from({ length: 6 }, () => '{"eventName":["INSERT"]}') })],
      /recorder: at most 5 filters/,
    ],
    [
      [recording({ filters: ['{"eventName": "INSERT"}'] })],
      /recorder: filter 0: eventName: must be an array/,
    ],
    [
      [recording({ startingPosition: 'AT_TIMESTAMP' as 'LATEST' })],
      /startingPosition must be TRIM_HORIZON or LATEST/,
    ],
  ])('refuses a bad subscription at construction, naming the setting (%#)', (subscriptions, message) => {
    expect(() => new StreamPump(options, subscriptions)).toThrow(message);
  });

  it.each([
    [{ pollIntervalMs: 0 }, /pollIntervalMs must be an integer from 1 to 2147483647 ms, got 0/],
    [{ retryDelayMs: 2 ** 31 }, /retryDelayMs must be an integer from 1 to 2147483647 ms/],
  ])('refuses a bad pump option: %j', (bad, message) => {
    expect(() => new StreamPump({ ...options, ...bad }, [recording()])).toThrow(message);
  });

  it('accepts the bounds Lambda accepts', () => {
    for (const subscription of [
      recording({ maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1, parallelizationFactor: 10 }),
      recording({ maximumRetryAttempts: Number.POSITIVE_INFINITY, maximumRecordAgeInSeconds: 60 }),
      recording({ maximumRetryAttempts: 10_000, maximumRecordAgeInSeconds: 604_800, batchSize: 10_000 }),
      recording({
        maximumBatchingWindowInSeconds: 300,
        bisectBatchOnFunctionError: true,
        timeoutMs: 900_000,
      }),
    ])
      expect(() => new StreamPump(options, [subscription])).not.toThrow();
  });

  it('cannot be drained before start nor started twice', async () => {
    const idle = new StreamPump(options, [recording()]);
    await expect(idle.drain()).rejects.toThrow('cannot drain a pump that is new');
    await idle.start();
    await expect(idle.start()).rejects.toThrow('cannot start a pump that is running');
    await idle.stop();
  });
});

describe('StreamPump on a trimmed shard (fake stream)', () => {
  it('reads on quietly when an iterator taken on an empty shard is called trimmed (DynamoDB Local does that)', async () => {
    const stream = new FakeStream([{ id: 'only', records: [], closed: false }]);
    const errors: unknown[] = [];
    const started = await startPump(stream, recording(), { onError: (error) => errors.push(error) });
    stream.shard('only').falseTrim = true;
    stream.put('only', 'r1', 'r2');
    await started.drain({ idleMs: 50 });
    expect(delivered).toEqual(['r1', 'r2']);
    expect(errors).toEqual([]);
  });

  it('reports records trimmed after it had read part of the shard, and resumes at the oldest one left', async () => {
    const stream = new FakeStream([{ id: 'only', records: [], closed: false }]);
    const errors: unknown[] = [];
    stream.put('only', 'r1');
    const started = await startPump(stream, recording(), { onError: (error) => errors.push(error) });
    await started.drain({ idleMs: 50 });
    stream.put('only', 'r2', 'r3');
    const shard = stream.shard('only');
    shard.trimmedBefore = 2;
    await started.drain({ idleMs: 50 });
    expect(delivered).toEqual(['r1', 'r3']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StreamRecordsTrimmedError);
    expect(errors[0]).toMatchObject({ shardId: 'only', lastReadSequence: '000000000000000000001' });
  });
});
