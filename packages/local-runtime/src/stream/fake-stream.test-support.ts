import {
  type _Record,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue as StreamAttributeValue,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { StreamsClient } from './shard-consumer.js';
import { StreamPump, type StreamPumpOptions, type StreamSubscription } from './stream-pump.js';

export const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026';

export interface FakeShard {
  readonly id: string;
  readonly parent?: string;
  readonly records: _Record[];
  closed: boolean;
  /** Records before this index are gone, as after the stream's 24 h retention. */
  trimmedBefore?: number;
  /** The next read of an iterator at the shard's start says "trimmed" though nothing is gone (DynamoDB Local). */
  falseTrim?: boolean;
  /** Most records per GetRecords call; all there are by default. */
  pageSize?: number;
}

export interface FakeRecord {
  readonly id: string;
  /** The item's partition key; default `id`. */
  readonly pk?: string;
  readonly sk?: string;
  /** `ApproximateCreationDateTime`, epoch seconds. */
  readonly createdAt?: number;
  readonly image?: Record<string, StreamAttributeValue>;
}

const trimmed = () =>
  new TrimmedDataAccessException({
    message: 'The operation attempted to read past the oldest stream record in a shard.',
    $metadata: {},
  });

/** An in-memory DynamoDB stream with shard lineage, listing one shard per DescribeStream page. */
export class FakeStream {
  /** GetRecords calls so far. */
  reads = 0;
  private sequence = 0;

  constructor(readonly shards: FakeShard[]) {}

  shard(id: string): FakeShard {
    const shard = this.shards.find((candidate) => candidate.id === id);
    if (!shard) throw new Error(`no shard ${id}`);
    return shard;
  }

  /** Appends INSERT records whose eventID and partition key are the given ids. */
  put(shardId: string, ...ids: string[]): void {
    this.putRecords(shardId, ...ids.map((id) => ({ id })));
  }

  putRecords(shardId: string, ...records: FakeRecord[]): void {
    for (const record of records) {
      const keys: Record<string, StreamAttributeValue> = { PK: { S: record.pk ?? record.id } };
      if (record.sk !== undefined) keys.SK = { S: record.sk };
      this.shard(shardId).records.push({
        eventID: record.id,
        eventName: 'INSERT',
        dynamodb: {
          Keys: keys,
          ...(record.image && { NewImage: { ...keys, ...record.image } }),
          ...(record.createdAt !== undefined && {
            ApproximateCreationDateTime: new Date(record.createdAt * 1000),
          }),
          SequenceNumber: String(++this.sequence).padStart(21, '0'),
        },
      });
    }
  }

  private position(shard: FakeShard, type: string | undefined, sequenceNumber: string | undefined): number {
    const index = shard.records.findIndex((record) => record.dynamodb?.SequenceNumber === sequenceNumber);
    if (type === 'LATEST') return shard.records.length;
    if (type === 'AT_SEQUENCE_NUMBER') return index;
    if (type === 'AFTER_SEQUENCE_NUMBER') return index + 1;
    return shard.trimmedBefore ?? 0;
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
        const shard = this.shard(command.input.ShardId ?? '');
        const at = this.position(shard, command.input.ShardIteratorType, command.input.SequenceNumber);
        if (at < (shard.trimmedBefore ?? 0)) throw trimmed();
        return { ShardIterator: JSON.stringify([shard.id, at]) };
      }
      if (command instanceof GetRecordsCommand) {
        this.reads++;
        const [shardId, at] = JSON.parse(command.input.ShardIterator as string) as [string, number];
        const shard = this.shard(shardId);
        if (at < (shard.trimmedBefore ?? 0)) throw trimmed();
        if (shard.falseTrim && at === 0 && shard.records.length > 0) {
          shard.falseTrim = false;
          throw trimmed();
        }
        const records = shard.records.slice(at, at + (shard.pageSize ?? shard.records.length));
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

/** A pump on a fake stream that polls and retries every few ms. */
export const fakePump = (
  stream: FakeStream,
  subscriptions: StreamSubscription[],
  options: Partial<StreamPumpOptions> = {},
) =>
  new StreamPump(
    {
      streamsClient: stream.client,
      streamArn: STREAM_ARN,
      region: 'us-east-1',
      pollIntervalMs: 5,
      retryDelayMs: 5,
      ...options,
    },
    subscriptions,
  );
