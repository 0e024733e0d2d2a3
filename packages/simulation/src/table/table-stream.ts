import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { fnv1a } from '../random/hash.js';
import { deepFreeze } from '../world/deep-freeze.js';

export type Item = Record<string, AttributeValue>;

/** One change of one item, as the table's stream reports it (NEW_AND_OLD_IMAGES). */
export interface ItemChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly newImage: Item | undefined;
  readonly oldImage: Item | undefined;
}

/**
 * One shard: its records in sequence order, appended only. Records every reader has passed are trimmed (as the
 * real stream trims after 24 h): `records[0]` is record number `base` of the shard.
 */
export interface StreamShard {
  readonly index: number;
  readonly id: string;
  records: DynamoDBRecord[];
  /** Clock time of each record's append, parallel to `records`. */
  appendedAt: number[];
  base: number;
  /** Records appended to this shard so far. */
  readonly length: number;
}

/** How far a reader has read a shard (a record number), so what every reader has passed can be trimmed. */
export type ReadPosition = (shard: StreamShard) => number;

const TRIM_EVERY = 512;

/** The partition key of a record's item (`IMAGE#<id>`): a DynamoDB stream keeps one partition's records on one shard. */
export function partitionKeyOf(record: DynamoDBRecord): string {
  return record.dynamodb?.Keys?.PK?.S ?? '';
}

/**
 * A DynamoDB table's stream in virtual time: records numbered in write order, each on the shard of its partition
 * key (so one receipt's items share a shard, in write order), with Lambda's record shape (images in the
 * attribute-value JSON, `ApproximateCreationDateTime` in whole epoch seconds).
 */
export class TableStream {
  readonly shards: StreamShard[];
  readonly streamArn: string;
  readonly #region: string;
  readonly #now: () => number;
  readonly #listeners: ((shard: StreamShard) => void)[] = [];
  readonly #readers: ReadPosition[] = [];
  #sequence = 0;

  constructor(options: {
    readonly shards: number;
    readonly table: string;
    readonly region: string;
    readonly now: () => number;
  }) {
    this.streamArn = `arn:aws:dynamodb:${options.region}:000000000000:table/${options.table}/stream/2026-01-01T00:00:00.000`;
    this.#region = options.region;
    this.#now = options.now;
    this.shards = Array.from({ length: options.shards }, (_, index) => ({
      index,
      id: `shardId-${String(index).padStart(8, '0')}`,
      records: [],
      appendedAt: [],
      base: 0,
      get length() {
        return this.base + this.records.length;
      },
    }));
  }

  /** Registers a reader's position, consulted when trimming. */
  addReader(position: ReadPosition): void {
    this.#readers.push(position);
  }

  /** Called with the shard of every record appended. */
  onAppend(listener: (shard: StreamShard) => void): void {
    this.#listeners.push(listener);
  }

  append(change: ItemChange): DynamoDBRecord {
    const image = change.newImage ?? change.oldImage;
    if (!image?.PK?.S || !image.SK?.S) throw new Error('a stream record needs an item with PK and SK');
    this.#sequence++;
    const record: DynamoDBRecord = {
      eventID: String(this.#sequence),
      eventName: change.eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.#region,
      eventSourceARN: this.streamArn,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(this.#now() / 1000),
        Keys: { PK: image.PK, SK: image.SK } as never,
        ...(change.newImage && { NewImage: change.newImage as never }),
        ...(change.oldImage && { OldImage: change.oldImage as never }),
        SequenceNumber: String(this.#sequence).padStart(21, '0'),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    const shard = this.shards[fnv1a(image.PK.S) % this.shards.length] as StreamShard;
    shard.records.push(deepFreeze(record));
    shard.appendedAt.push(this.#now());
    if (shard.records.length % TRIM_EVERY === 0) this.#trim(shard);
    for (const listener of this.#listeners) listener(shard);
    return record;
  }

  /** Drops the records every reader has passed. */
  #trim(shard: StreamShard): void {
    const passed = Math.min(...this.#readers.map((position) => position(shard))) - shard.base;
    if (passed <= 0) return;
    shard.records = shard.records.slice(passed);
    shard.appendedAt = shard.appendedAt.slice(passed);
    shard.base += passed;
  }

  get length(): number {
    return this.#sequence;
  }
}
