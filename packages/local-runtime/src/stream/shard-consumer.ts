import {
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { laneOf } from './lane-of.js';
import { pause } from './pause.js';
import { ShardCheckpoint } from './shard-checkpoint.js';
import { type LaneEnvironment, type LaneShard, ShardLane } from './shard-lane.js';
import { AttributeValueLostError, StreamRecordsTrimmedError } from './stream-errors.js';
import { toLambdaRecord } from './to-lambda-record.js';
import { Wakeup } from './wakeup.js';

export type StreamsClient = Pick<DynamoDBStreamsClient, 'send'>;

/** What a shard consumer shares with the other shards of its subscription. */
export interface ConsumerEnvironment extends LaneEnvironment {
  readonly streams: StreamsClient;
  readonly pollIntervalMs: number;
}

/**
 * Reads one shard for one subscription, as an event source mapping does: in sequence order, filtered-out records
 * skipped, each record handed to the lane of its item (one lane unless `parallelizationFactor` says more). Lanes
 * run concurrently; the reader stops reading while a lane has a full batch waiting, so a lane that keeps failing
 * eventually holds up the whole shard, as Lambda documents for failing batches.
 */
export class ShardConsumer implements LaneShard {
  readonly checkpoint = new ShardCheckpoint();
  readonly wakeup = new Wakeup();
  activity = 0;
  drained = false;
  private readonly lanes: ShardLane[];
  private iterator: string | undefined;
  private opened = false;
  private lastReadSequence: string | undefined;
  private polledEmpty = false;
  /** When the latest read that found nothing began (a slow read can still be on its way back after that). */
  private emptyReadStartedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly env: ConsumerEnvironment,
    readonly shardId: string,
    private readonly position: 'TRIM_HORIZON' | 'LATEST',
  ) {
    this.lanes = Array.from(
      { length: env.subscription.parallelizationFactor },
      (_, index) => new ShardLane(env, this, index),
    );
  }

  /** The shard is closed and everything read from it has been handled. */
  get ended(): boolean {
    return this.opened && this.iterator === undefined && this.checkpoint.outstanding === 0;
  }

  /** Nothing to hand over and nothing running: the last read found the shard's end or no new record. */
  get idle(): boolean {
    return this.lanes.every((lane) => lane.idle) && (this.polledEmpty || this.ended);
  }

  /** Idle, and a read begun at `time` or later found nothing: every record written before `time` was handed over. */
  caughtUpSince(time: number): boolean {
    return this.idle && (this.ended || this.emptyReadStartedAt >= time);
  }

  /** Pins the starting position now (a LATEST subscription sees what is written after its start resolves). */
  async open(): Promise<void> {
    this.iterator = await this.shardIterator(this.position);
    this.opened = true;
  }

  /** Reads and processes until the pump stops, or the shard is closed and all its records are settled. */
  async run(): Promise<void> {
    const lanes = this.lanes.map((lane) => lane.run());
    const reading = this.read();
    const results = await Promise.allSettled([reading, ...lanes]);
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async read(): Promise<void> {
    const { signal } = this.env;
    while (!signal.aborted) {
      if (!this.opened) {
        await this.recovering(() => this.open());
        continue;
      }
      if (this.iterator === undefined) break;
      if (!this.lanes.every((lane) => lane.hasRoom)) {
        await this.wakeup.wait(undefined, signal);
        continue;
      }
      await this.readOnce();
      if (this.polledEmpty) await pause(this.env.pollIntervalMs, signal);
    }
    if (signal.aborted) return;
    this.drained = true;
    this.wakeup.notify();
  }

  private async shardIterator(type: ShardIteratorType, sequenceNumber?: string): Promise<string | undefined> {
    const { ShardIterator } = await this.env.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.env.source.streamArn,
        ShardId: this.shardId,
        ShardIteratorType: type,
        SequenceNumber: sequenceNumber,
      }),
      { abortSignal: this.env.signal },
    );
    return ShardIterator;
  }

  /** Runs a stream call; on failure reports it and pauses, so the loop retries instead of dying. */
  private async recovering(call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      if (this.env.signal.aborted) return;
      this.env.onError(error, this.shardId);
      await pause(this.env.retryDelayMs, this.env.signal);
    }
  }

  private async readOnce(): Promise<void> {
    const startedAt = Date.now();
    let output: GetRecordsCommandOutput;
    try {
      output = await this.env.streams.send(new GetRecordsCommand({ ShardIterator: this.iterator }), {
        abortSignal: this.env.signal,
      });
    } catch (error) {
      this.polledEmpty = false;
      await this.recovering(() => this.reposition(error));
      return;
    }
    const records = output.Records ?? [];
    this.iterator = output.NextShardIterator;
    this.polledEmpty = records.length === 0;
    if (this.polledEmpty) this.emptyReadStartedAt = startedAt;
    if (records.length > 0) this.activity++;
    const readAt = this.env.now();
    const { subscription, stats } = this.env;
    for (const record of records) {
      this.lastReadSequence = record.dynamodb?.SequenceNumber;
      const lost: string[] = [];
      const lambdaRecord = toLambdaRecord(record, this.env.source, (path) => lost.push(path));
      if (lost.length > 0)
        this.env.onError(new AttributeValueLostError(this.lastReadSequence, lost), this.shardId);
      const index = this.checkpoint.add(lambdaRecord.dynamodb?.SequenceNumber);
      if (!subscription.accepts(lambdaRecord)) {
        stats.recordsFiltered++;
        this.checkpoint.complete(index);
        continue;
      }
      const lane = this.lanes[laneOf(lambdaRecord, this.lanes.length)] as ShardLane;
      lane.push({
        record: lambdaRecord,
        index,
        bytes: Buffer.byteLength(JSON.stringify(lambdaRecord)),
        readAt,
        delivered: false,
      });
    }
    if (records.length > 0) this.wakeup.notify();
  }

  /** After a failed read: a fresh iterator where reading stopped, and the failure reported if it lost records. */
  private async reposition(error: unknown): Promise<void> {
    // Iterators expire after 15 minutes.
    if (error instanceof ExpiredIteratorException) {
      this.iterator = this.lastReadSequence
        ? await this.shardIterator('AFTER_SEQUENCE_NUMBER', this.lastReadSequence)
        : await this.shardIterator(this.position);
      return;
    }
    if (error instanceof TrimmedDataAccessException) {
      this.iterator = await this.shardIterator('TRIM_HORIZON');
      // Nothing read yet: the oldest record left is where this reader stood, as nothing it could have read was
      // trimmed (that takes 24 h of records unread while it polls every few hundred ms). DynamoDB Local says
      // "trimmed" to every iterator taken on a still empty shard once other tables' writes have used the
      // sequence numbers that followed (they are shared by all tables), so this is its usual case.
      if (this.lastReadSequence === undefined) return;
      throw new StreamRecordsTrimmedError(this.shardId, this.lastReadSequence, { cause: error });
    }
    throw error;
  }
}
