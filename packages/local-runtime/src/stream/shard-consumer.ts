import {
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { type BatchOutcome, batchOutcome, failedWhole } from './batch-outcome.js';
import { createLambdaContext } from './lambda-context.js';
import { pause } from './pause.js';
import type { ResolvedSubscription, SubscriptionStats } from './subscription.js';
import { type RecordSource, toLambdaRecord } from './to-lambda-record.js';

export type StreamsClient = Pick<DynamoDBStreamsClient, 'send'>;

/** What a shard consumer shares with the other shards of its subscription. */
export interface ConsumerEnvironment {
  readonly streams: StreamsClient;
  readonly source: RecordSource;
  readonly accountId: string;
  readonly subscription: ResolvedSubscription;
  readonly stats: SubscriptionStats;
  readonly signal: AbortSignal;
  readonly pollIntervalMs: number;
  readonly retryDelayMs: number;
  readonly onError: (error: unknown, shardId: string) => void;
}

/**
 * Reads one shard for one subscription, as an event source mapping does: one batch in flight at a time, in
 * sequence order; filtered-out records skipped; a failed batch re-delivered from its first failed record until it
 * succeeds or its retries run out, then handed to `onFailure` so the shard moves on. The checkpoint is the head of
 * `pending`: records leave it only once done or given up on.
 */
export class ShardConsumer {
  private iterator: string | undefined;
  private opened = false;
  private lastReadSequence: string | undefined;
  private readonly pending: DynamoDBRecord[] = [];
  /** Failed attempts of the record at the head of `pending`. */
  private headAttempts = 0;
  private invoking = false;
  private polledEmpty = false;
  /** When the latest read that found nothing began (a slow read can still be on its way back after that). */
  private emptyReadStartedAt = Number.NEGATIVE_INFINITY;
  /** Bumped when records arrive or a handler is invoked, so a drain can tell lasting quiet from a lucky glance. */
  activity = 0;

  constructor(
    private readonly env: ConsumerEnvironment,
    readonly shardId: string,
    private readonly position: 'TRIM_HORIZON' | 'LATEST',
  ) {}

  /** The shard is closed and everything read from it has been handled. */
  get ended(): boolean {
    return this.opened && this.iterator === undefined && this.pending.length === 0;
  }

  /** Nothing to hand over and nothing running: the last read found the shard's end or no new record. */
  get idle(): boolean {
    return !this.invoking && this.pending.length === 0 && (this.polledEmpty || this.ended);
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

  async run(): Promise<void> {
    const { signal, subscription } = this.env;
    while (!signal.aborted) {
      if (!this.opened) await this.recovering(() => this.open());
      else if (this.iterator !== undefined && this.pending.length < subscription.batchSize) await this.read();
      if (signal.aborted || !this.opened) continue;
      if (this.pending.length > 0) await this.deliver();
      else if (this.iterator === undefined) return;
      else if (this.polledEmpty) await pause(this.env.pollIntervalMs, signal);
    }
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

  private async read(): Promise<void> {
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
    for (const record of records) {
      this.lastReadSequence = record.dynamodb?.SequenceNumber;
      const lambdaRecord = toLambdaRecord(record, this.env.source);
      if (this.env.subscription.accepts(lambdaRecord)) this.pending.push(lambdaRecord);
      else this.env.stats.recordsFiltered++;
    }
  }

  /** After a failed read: a fresh iterator where reading stopped (iterators expire after 15 minutes). */
  private async reposition(error: unknown): Promise<void> {
    if (error instanceof ExpiredIteratorException) {
      this.iterator = this.lastReadSequence
        ? await this.shardIterator('AFTER_SEQUENCE_NUMBER', this.lastReadSequence)
        : await this.shardIterator(this.position);
      return;
    }
    // Records past their retention are gone; reading resumes at the oldest one left (the loss is reported).
    if (error instanceof TrimmedDataAccessException) this.iterator = await this.shardIterator('TRIM_HORIZON');
    throw error;
  }

  private async deliver(): Promise<void> {
    const { subscription, stats, signal } = this.env;
    const batch = this.pending.slice(0, subscription.batchSize);
    let outcome = await this.invoke(batch);
    if (subscription.redeliver) {
      const again = await this.invoke(batch);
      if (again.failedFrom < outcome.failedFrom) outcome = again;
    }
    this.pending.splice(0, outcome.failedFrom);
    if (outcome.failedFrom === batch.length) {
      this.headAttempts = 0;
      return;
    }
    this.headAttempts = outcome.failedFrom > 0 ? 1 : this.headAttempts + 1;
    if (this.headAttempts <= subscription.maximumRetryAttempts) {
      stats.retries++;
      await pause(this.env.retryDelayMs, signal);
      return;
    }
    // Retries exhausted: like Lambda, the rest of the failing batch goes to the on-failure destination.
    const givenUp = this.pending.splice(0, batch.length - outcome.failedFrom);
    const info = { subscription: subscription.name, shardId: this.shardId, attempts: this.headAttempts };
    this.headAttempts = 0;
    stats.recordsSentToOnFailure += givenUp.length;
    try {
      await subscription.onFailure?.(givenUp, outcome.error, info);
    } catch (error) {
      this.env.onError(error, this.shardId);
    }
  }

  private async invoke(batch: DynamoDBRecord[]): Promise<BatchOutcome> {
    const { subscription, stats } = this.env;
    const context = createLambdaContext({
      functionName: subscription.name,
      region: this.env.source.region,
      accountId: this.env.accountId,
      timeoutMs: subscription.timeoutMs,
    });
    stats.invocations++;
    stats.recordsDelivered += batch.length;
    this.activity++;
    this.invoking = true;
    try {
      // Each invocation parses its own copy on Lambda: a handler mutating its event cannot affect a retry.
      const response = await subscription.handler({ Records: structuredClone(batch) }, context);
      if (context.getRemainingTimeInMillis() === 0)
        return failedWhole(
          new Error(`${subscription.name}: task timed out after ${subscription.timeoutMs} ms`),
        );
      return batchOutcome(batch, response);
    } catch (error) {
      return failedWhole(error);
    } finally {
      this.invoking = false;
    }
  }
}
