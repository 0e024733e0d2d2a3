import { VirtualClock } from '@receipt-gate/core/testing';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SimRandom } from '../random/sim-random.js';
import type { InvocationOutcome } from '../runtime/invocation.js';
import { FAULT_PROFILES } from '../scenario/fault-profile.js';
import { FaultBook, NO_FILTER } from '../scenario/runtime-faults.js';
import { drive } from '../world/drive.js';
import { Trace } from '../world/trace.js';
import { EventSourceMapping, type FailureCondition, type MappingSettings } from './event-source-mapping.js';
import { TableStream } from './table-stream.js';

const SETTINGS: MappingSettings = {
  name: 'test',
  batchSize: 10,
  batchingWindowMs: 0,
  parallelizationFactor: 1,
  maximumRetryAttempts: 2,
  maximumRecordAgeMs: Number.POSITIVE_INFINITY,
  bisectBatchOnFunctionError: false,
};

/** A stream of one shard, a mapping on it, and a handler that answers as `answer` says. */
function world(
  settings: Partial<MappingSettings>,
  answer: (sks: string[], call: number) => InvocationOutcome | Promise<InvocationOutcome>,
) {
  const clock = new VirtualClock();
  const stream = new TableStream({ shards: 1, table: 'test', region: 'us-east-1', now: () => clock.now() });
  const batches: string[][] = [];
  const givenUp: { sks: string[]; condition: FailureCondition }[] = [];
  const mapping = new EventSourceMapping(
    { ...SETTINGS, ...settings },
    {
      clock,
      stream,
      accepts: (record) => record.dynamodb?.NewImage?.TYPE?.S !== 'IGNORED',
      invoke: async (event) => {
        const sks = event.Records.map(sk);
        batches.push(sks);
        return answer(sks, batches.length);
      },
      receiptOf: () => undefined,
      faults: new FaultBook({
        root: new SimRandom(1),
        profile: FAULT_PROFILES.none,
        filter: NO_FILTER,
        now: () => 0,
      }),
      trace: new Trace({ start: clock.now(), keep: false }),
      observer: {
        givenUp: (_, records, condition) => givenUp.push({ sks: records.map(sk), condition }),
        settled: () => {},
      },
    },
  );
  mapping.start();
  const write = (item: string, type = 'ITEM') =>
    stream.append({
      eventName: 'INSERT',
      newImage: { PK: { S: 'IMAGE#x' }, SK: { S: item }, TYPE: { S: type } },
      oldImage: undefined,
    });
  const settle = () =>
    drive(clock, { done: () => mapping.idle, stop: () => false, horizonAt: clock.now() + 86_400_000 });
  return { clock, mapping, batches, givenUp, write, settle };
}

const sk = (record: DynamoDBRecord) => record.dynamodb?.Keys?.SK?.S ?? '';
const ok = (): InvocationOutcome => ({ status: 'returned', value: { batchItemFailures: [] } });
const failFrom = (sks: string[], item: string): InvocationOutcome => ({
  status: 'returned',
  value: { batchItemFailures: [{ itemIdentifier: String(sks.indexOf(item) + 1).padStart(21, '0') }] },
});

describe('EventSourceMapping', () => {
  it('delivers the records in batches, in order, skipping those its filter refuses', async () => {
    const { batches, write, settle } = world({ batchSize: 2 }, ok);
    for (const item of ['a', 'b', 'c']) write(item);
    write('x', 'IGNORED');
    write('d');
    expect(await settle()).toBe('done');
    expect(batches.flat()).toEqual(['a', 'b', 'c', 'd']);
    expect(batches.every((batch) => batch.length <= 2)).toBe(true);
  });

  it('retries a batch from its first failed record only', async () => {
    const { batches, write, settle } = world({}, (sks, call) => (call === 1 ? failFrom(sks, 'b') : ok()));
    for (const item of ['a', 'b', 'c']) write(item);
    await settle();
    expect(batches).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
  });

  it('gives a batch up after its retries, and moves on', async () => {
    const { batches, givenUp, write, settle } = world({}, (sks) =>
      sks.includes('bad') ? { status: 'threw', error: new Error('poison') } : ok(),
    );
    write('bad');
    await settle();
    write('next');
    await settle();
    expect(batches).toEqual([['bad'], ['bad'], ['bad'], ['next']]);
    expect(givenUp).toEqual([{ sks: ['bad'], condition: 'RetryAttemptsExhausted' }]);
  });

  it('bisects a batch on a function error (a crash or a timeout counts), each half with its own retries', async () => {
    const { batches, givenUp, write, settle } = world(
      { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 },
      (sks) => (sks.includes('bad') ? { status: 'crashed', afterWrites: 0 } : ok()),
    );
    for (const item of ['a', 'bad', 'c', 'd']) write(item);
    await settle();
    expect(batches).toEqual([['a', 'bad', 'c', 'd'], ['a', 'bad'], ['a'], ['bad'], ['c', 'd']]);
    expect(givenUp).toEqual([{ sks: ['bad'], condition: 'RetryAttemptsExhausted' }]);
  });

  it('gives records older than the maximum record age up without invoking', async () => {
    const { clock, batches, givenUp, write, settle } = world({ maximumRecordAgeMs: 60_000 }, async () => {
      await clock.sleep(120_000);
      return ok();
    });
    write('first');
    await settle();
    write('second');
    write('third');
    await settle();
    expect(batches).toEqual([['first'], ['second', 'third']]);
    expect(givenUp).toEqual([]);
    const slow = world({ maximumRecordAgeMs: 60_000, batchSize: 1 }, async () => {
      await slow.clock.sleep(90_000);
      return ok();
    });
    slow.write('one');
    slow.write('two');
    await slow.settle();
    expect(slow.batches).toEqual([['one']]);
    expect(slow.givenUp).toEqual([{ sks: ['two'], condition: 'RecordAgeExceeded' }]);
  });

  it('gathers records for its batching window, counted from the end of the previous invocation', async () => {
    const { clock, batches, write, settle } = world({ batchingWindowMs: 1_000 }, ok);
    const started = clock.now();
    write('a');
    await clock.advance(400);
    write('b');
    await settle();
    expect(batches).toEqual([['a', 'b']]);
    expect(clock.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('keeps each item in order across parallel lanes, and lets other items pass a failing one', async () => {
    const { batches, write, settle } = world(
      { parallelizationFactor: 4, batchSize: 1, maximumRetryAttempts: 5 },
      (sks, call) =>
        sks[0] === 'slow' && call < 4 ? { status: 'threw', error: new Error('not yet') } : ok(),
    );
    write('slow');
    for (const item of ['p', 'q', 'r']) write(item);
    await settle();
    const order = batches.flat();
    expect(order.filter((item) => item === 'slow')).toHaveLength(
      batches.filter((b) => b[0] === 'slow').length,
    );
    expect(order.indexOf('p')).toBeLessThan(order.lastIndexOf('slow'));
  });
});
