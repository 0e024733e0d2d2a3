import type { DynamoDBRecord } from 'aws-lambda';
import { type BatchOutcome, batchOutcome, functionFailed } from './batch-outcome.js';
import { createLambdaContext } from './lambda-context.js';
import { pause } from './pause.js';
import type { ShardCheckpoint } from './shard-checkpoint.js';
import { type FailureCondition, streamFailureRecord } from './stream-failure-record.js';
import type { ResolvedSubscription, SubscriptionStats } from './subscription.js';
import type { RecordSource } from './to-lambda-record.js';
import type { Wakeup } from './wakeup.js';

/** Lambda's payload limit for a synchronous invocation: a batch stops growing before its event passes it. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** `{"Records":[` and `]}` around the records. */
const EVENT_OVERHEAD_BYTES = 14;

/** A record waiting in a lane or being processed by it. */
export interface LaneEntry {
  readonly record: DynamoDBRecord;
  /** Its read index in the shard's checkpoint. */
  readonly index: number;
  /** Its size in the event's JSON. */
  readonly bytes: number;
  /** When the pump read it (the pump's clock). */
  readonly readAt: number;
  delivered: boolean;
}

/** What the lanes of one subscription share, across shards. */
export interface LaneEnvironment {
  readonly source: RecordSource;
  readonly accountId: string;
  readonly subscription: ResolvedSubscription;
  readonly stats: SubscriptionStats;
  readonly signal: AbortSignal;
  readonly retryDelayMs: number;
  readonly onError: (error: unknown, shardId: string) => void;
  /** The clock for record ages, batching windows and latencies (epoch ms). */
  readonly now: () => number;
  /** Invocations of this subscription in flight, over all shards. */
  readonly concurrency: { inFlight: number };
}

/** What a lane shares with the other lanes of its shard. */
export interface LaneShard {
  readonly shardId: string;
  readonly checkpoint: ShardCheckpoint;
  readonly wakeup: Wakeup;
  /** No record will be added any more: the shard is closed and read to its end. */
  readonly drained: boolean;
  /** Bumped on every invocation, so a drain can tell lasting quiet from a lucky glance. */
  activity: number;
}

interface Invocation {
  readonly outcome: BatchOutcome;
  readonly requestId: string;
}

/**
 * One of a shard's `parallelizationFactor` concurrent batchers. It gathers its records into batches (batch size,
 * batching window, 6 MB), invokes one batch at a time and keeps that batch until it is done: retried from its
 * first failed record, bisected on a function error if so configured, its aged-out head and the rest of it given
 * to the on-failure destination when its age or retries run out. A failing batch holds back only this lane; the
 * shard's checkpoint stays before it until it is done.
 */
export class ShardLane {
  private readonly queue: LaneEntry[] = [];
  private queuedBytes = 0;
  private processing = false;
  /** As on Lambda for streams, the batching window begins when the previous invocation completes. */
  private windowOpenedAt: number;

  constructor(
    private readonly env: LaneEnvironment,
    private readonly shard: LaneShard,
    readonly index: number,
  ) {
    this.windowOpenedAt = env.now();
  }

  /** Nothing queued and no batch in hand. */
  get idle(): boolean {
    return !this.processing && this.queue.length === 0;
  }

  /** Fewer than a full batch waiting: the reader may read more for this lane. */
  get hasRoom(): boolean {
    return this.queue.length < this.env.subscription.batchSize && this.queuedBytes < MAX_PAYLOAD_BYTES;
  }

  push(entry: LaneEntry): void {
    this.queue.push(entry);
    this.queuedBytes += entry.bytes;
  }

  /** Processes batches until the pump stops, or the shard is drained and this lane is empty. */
  async run(): Promise<void> {
    const { signal } = this.env;
    while (!signal.aborted) {
      const batch = this.takeBatch();
      if (batch) {
        this.processing = true;
        try {
          await this.process(batch);
        } finally {
          this.processing = false;
          this.windowOpenedAt = this.env.now();
          this.shard.wakeup.notify();
        }
      } else if (this.queue.length === 0 && this.shard.drained) return;
      else await this.shard.wakeup.wait(this.untilWindowCloses(), signal);
    }
  }

  private untilWindowCloses(): number | undefined {
    if (this.queue.length === 0) return undefined;
    return this.windowOpenedAt + this.env.subscription.batchingWindowMs - this.env.now();
  }

  /** The next batch, once the batch size, the payload limit or the end of the batching window is reached. */
  private takeBatch(): LaneEntry[] | undefined {
    const { batchSize, batchingWindowMs } = this.env.subscription;
    if (this.queue.length === 0) return undefined;
    const full = this.queue.length >= batchSize || this.queuedBytes >= MAX_PAYLOAD_BYTES;
    if (!full && this.env.now() < this.windowOpenedAt + batchingWindowMs) return undefined;
    let count = 0;
    let bytes = EVENT_OVERHEAD_BYTES;
    for (const entry of this.queue) {
      if (count === batchSize || (count > 0 && bytes + entry.bytes + 1 > MAX_PAYLOAD_BYTES)) break;
      bytes += entry.bytes + 1;
      count++;
    }
    const batch = this.queue.splice(0, count);
    for (const entry of batch) this.queuedBytes -= entry.bytes;
    this.shard.wakeup.notify();
    return batch;
  }

  /** Settles one batch for good: done, or given up on. */
  private async process(entries: LaneEntry[]): Promise<void> {
    const { subscription, stats, signal } = this.env;
    let batch = entries;
    /** Invocations of the current head of `batch`. */
    let attempts = 0;
    let last: Invocation | undefined;
    while (!signal.aborted) {
      const aged = this.agedOut(batch);
      if (aged > 0) {
        await this.giveUp(batch.slice(0, aged), 'RecordAgeExceeded', attempts, last);
        batch = batch.slice(aged);
        if (batch.length === 0) return;
      }
      last = await this.invoke(batch);
      const { failedFrom, functionError } = last.outcome;
      this.complete(batch.slice(0, failedFrom));
      if (failedFrom === batch.length) return;
      batch = batch.slice(failedFrom);
      attempts = failedFrom > 0 ? 1 : attempts + 1;
      // Splitting does not count as a retry: each half starts with a fresh budget.
      if (functionError && subscription.bisectBatchOnFunctionError && batch.length > 1) {
        stats.batchesBisected++;
        const half = Math.ceil(batch.length / 2);
        await this.process(batch.slice(0, half));
        await this.process(batch.slice(half));
        return;
      }
      if (attempts > subscription.maximumRetryAttempts) {
        await this.giveUp(batch, 'RetryAttemptsExhausted', attempts, last);
        return;
      }
      stats.retries++;
      await pause(this.env.retryDelayMs, signal);
    }
  }

  /** How many records at the head of `batch` are older than `maximumRecordAgeInSeconds`. */
  private agedOut(batch: readonly LaneEntry[]): number {
    const { maximumRecordAgeMs } = this.env.subscription;
    if (maximumRecordAgeMs === Number.POSITIVE_INFINITY) return 0;
    const now = this.env.now();
    let count = 0;
    for (const { record } of batch) {
      const created = record.dynamodb?.ApproximateCreationDateTime;
      if (created === undefined || now - created * 1000 <= maximumRecordAgeMs) break;
      count++;
    }
    return count;
  }

  private complete(entries: readonly LaneEntry[]): void {
    for (const entry of entries) this.shard.checkpoint.complete(entry.index);
  }

  /** One invocation, or two with `redeliver`, keeping the outcome that retries more. */
  private async invoke(batch: readonly LaneEntry[]): Promise<Invocation> {
    const records = batch.map((entry) => entry.record);
    const invocation = await this.invokeOnce(records, batch);
    if (!this.env.subscription.redeliver) return invocation;
    const again = await this.invokeOnce(records, batch);
    return again.outcome.failedFrom < invocation.outcome.failedFrom ? again : invocation;
  }

  private async invokeOnce(records: DynamoDBRecord[], batch: readonly LaneEntry[]): Promise<Invocation> {
    const { subscription, stats, concurrency } = this.env;
    const context = createLambdaContext({
      functionName: subscription.name,
      region: this.env.source.region,
      accountId: this.env.accountId,
      timeoutMs: subscription.timeoutMs,
    });
    const startedAt = this.env.now();
    for (const entry of batch) {
      if (entry.delivered) continue;
      entry.delivered = true;
      const created = entry.record.dynamodb?.ApproximateCreationDateTime;
      if (created !== undefined) stats.recordLatencyMs.push(startedAt - created * 1000);
      stats.recordWaitMs.push(startedAt - entry.readAt);
    }
    stats.invocations++;
    stats.recordsDelivered += records.length;
    stats.batchesPerLane[this.index] = (stats.batchesPerLane[this.index] ?? 0) + 1;
    concurrency.inFlight++;
    stats.concurrentBatchesHighWater = Math.max(stats.concurrentBatchesHighWater, concurrency.inFlight);
    this.shard.activity++;
    try {
      // Each invocation parses its own copy on Lambda: a handler mutating its event cannot affect a retry.
      const response = await subscription.handler({ Records: structuredClone(records) }, context);
      if (context.getRemainingTimeInMillis() === 0)
        return {
          outcome: functionFailed(
            new Error(`${subscription.name}: task timed out after ${subscription.timeoutMs} ms`),
          ),
          requestId: context.awsRequestId,
        };
      return { outcome: batchOutcome(records, response), requestId: context.awsRequestId };
    } catch (error) {
      return { outcome: functionFailed(error), requestId: context.awsRequestId };
    } finally {
      concurrency.inFlight--;
    }
  }

  /** Like Lambda: the records go to the on-failure destination (if any) and the shard moves past them. */
  private async giveUp(
    entries: readonly LaneEntry[],
    condition: FailureCondition,
    attempts: number,
    last: Invocation | undefined,
  ): Promise<void> {
    const { subscription, stats } = this.env;
    const records = entries.map((entry) => entry.record);
    stats.recordsSentToOnFailure += records.length;
    if (condition === 'RecordAgeExceeded') stats.recordsAgedOut += records.length;
    const invocationRecord = streamFailureRecord({
      records,
      condition,
      approximateInvokeCount: attempts,
      lastInvocation: last && {
        requestId: last.requestId,
        functionError: last.outcome.functionError === true,
      },
      functionArn: `arn:aws:lambda:${this.env.source.region}:${this.env.accountId}:function:${subscription.name}`,
      shardId: this.shard.shardId,
      streamArn: this.env.source.streamArn,
      at: this.env.now(),
    });
    const error =
      condition === 'RecordAgeExceeded'
        ? new Error(
            `${subscription.name}: records older than ${subscription.maximumRecordAgeMs / 1000} s (maximumRecordAgeInSeconds)`,
            { cause: last?.outcome.error },
          )
        : last?.outcome.error;
    try {
      await subscription.onFailure?.(structuredClone(records), error, {
        subscription: subscription.name,
        shardId: this.shard.shardId,
        attempts,
        condition,
        invocationRecord,
      });
    } catch (failure) {
      this.env.onError(failure, this.shard.shardId);
    }
    this.complete(entries);
  }
}
