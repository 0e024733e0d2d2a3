import {
  type _Record,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamPump, type StreamSubscription, type StreamsClient } from './stream-pump.js';

const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026';

interface FakeShard {
  readonly id: string;
  readonly parent?: string;
  readonly records: _Record[];
  closed: boolean;
}

/** An in-memory DynamoDB stream with shard lineage, listing one shard per DescribeStream page. */
class FakeStream {
  private sequence = 0;
  constructor(readonly shards: FakeShard[]) {}

  put(shardId: string, ...ids: string[]): void {
    const shard = this.shards.find((candidate) => candidate.id === shardId);
    for (const id of ids)
      shard?.records.push({
        eventID: id,
        eventName: 'INSERT',
        dynamodb: { Keys: { PK: { S: id } }, SequenceNumber: String(++this.sequence).padStart(21, '0') },
      });
  }

  readonly client = {
    send: async (command: unknown) => {
      if (command instanceof DescribeStreamCommand) {
        const start = this.shards.findIndex((shard) => shard.id === command.input.ExclusiveStartShardId) + 1;
        const shard = this.shards[start];
        return {
          StreamDescription: {
            StreamStatus: 'ENABLED',
            Shards: shard
              ? [
                  {
                    ShardId: shard.id,
                    ParentShardId: shard.parent,
                    SequenceNumberRange: {
                      StartingSequenceNumber: '1',
                      EndingSequenceNumber: shard.closed ? '9' : undefined,
                    },
                  },
                ]
              : [],
            LastEvaluatedShardId: start + 1 < this.shards.length ? shard?.id : undefined,
          },
        };
      }
      if (command instanceof GetShardIteratorCommand) {
        const shard = this.shards.find((candidate) => candidate.id === command.input.ShardId) as FakeShard;
        const at = command.input.ShardIteratorType === 'LATEST' ? shard.records.length : 0;
        return { ShardIterator: JSON.stringify([shard.id, at]) };
      }
      if (command instanceof GetRecordsCommand) {
        const [shardId, at] = JSON.parse(command.input.ShardIterator as string) as [string, number];
        const shard = this.shards.find((candidate) => candidate.id === shardId) as FakeShard;
        const records = shard.records.slice(at);
        const next = at + records.length;
        return {
          Records: records,
          NextShardIterator: shard.closed ? undefined : JSON.stringify([shardId, next]),
        };
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  } as unknown as StreamsClient;
}

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
const startPump = async (stream: FakeStream, subscription: StreamSubscription) => {
  pump = new StreamPump(
    {
      streamsClient: stream.client,
      streamArn: STREAM_ARN,
      region: 'us-east-1',
      pollIntervalMs: 5,
      retryDelayMs: 5,
    },
    [subscription],
  );
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

  it.each([
    [[recording(), recording()], /two subscriptions are named recorder/],
    [[recording({ batchSize: 0 })], /recorder: batchSize must be an integer from 1 to 10000, got 0/],
    [[recording({ maximumRetryAttempts: -2 })], /maximumRetryAttempts must be an integer from 0 to 10000/],
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
  ])('refuses a bad subscription at construction (%#)', (subscriptions, message) => {
    expect(() => new StreamPump(options, subscriptions)).toThrow(message);
  });

  it('cannot be drained before start nor started twice', async () => {
    const idle = new StreamPump(options, [recording()]);
    await expect(idle.drain()).rejects.toThrow('cannot drain a pump that is new');
    await idle.start();
    await expect(idle.start()).rejects.toThrow('cannot start a pump that is running');
    await idle.stop();
  });
});
