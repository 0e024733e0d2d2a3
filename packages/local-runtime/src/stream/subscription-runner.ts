import {
  DescribeStreamCommand,
  ResourceNotFoundException,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { pause } from './pause.js';
import { type ConsumerEnvironment, ShardConsumer } from './shard-consumer.js';
import { emptyStats, type SubscriptionStats } from './subscription.js';

/** How long to wait before asking again for the children of a closed shard that DescribeStream does not list yet. */
const CHILD_SHARD_RETRY_MS = 1_000;

interface ShardEntry {
  readonly parentId: string | undefined;
  readonly position: 'TRIM_HORIZON' | 'LATEST';
  state: 'waiting' | 'running' | 'done';
  consumer?: ShardConsumer;
}

export type RunnerEnvironment = Omit<ConsumerEnvironment, 'stats' | 'onError' | 'concurrency'> & {
  readonly onError: (error: unknown, shardId?: string) => void;
};

/**
 * One event source mapping: finds the stream's shards and reads each with its own {@link ShardConsumer}, a child
 * only once its parent is done (so one item's records stay in order across a shard split).
 */
export class SubscriptionRunner {
  readonly stats: SubscriptionStats;
  private readonly shards = new Map<string, ShardEntry>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly consumerEnvironment: ConsumerEnvironment;
  private discovering = 0;

  constructor(private readonly env: RunnerEnvironment) {
    this.stats = emptyStats(env.subscription.parallelizationFactor);
    this.consumerEnvironment = { ...env, stats: this.stats, concurrency: { inFlight: 0 } };
  }

  get name(): string {
    return this.env.subscription.name;
  }

  /** Caught up: no shard search under way, and every running shard has nothing left to hand over. */
  get idle(): boolean {
    if (this.discovering > 0) return false;
    return [...this.shards.values()].every((shard) => shard.state !== 'running' || shard.consumer?.idle);
  }

  /** Idle, and every running shard found nothing new in a read begun at `time` or later. */
  caughtUpSince(time: number): boolean {
    if (this.discovering > 0) return false;
    return [...this.shards.values()].every(
      (shard) => shard.state !== 'running' || shard.consumer?.caughtUpSince(time),
    );
  }

  /** Each shard's checkpoint: the last record of its done prefix (undefined before the first is done). */
  checkpoints(): Record<string, string | undefined> {
    return Object.fromEntries(
      [...this.shards].flatMap(([shardId, shard]) =>
        shard.consumer ? [[shardId, shard.consumer.checkpoint.checkpoint]] : [],
      ),
    );
  }

  /** Sum of the shards' activity counters; it only grows. */
  get activity(): number {
    let total = 0;
    for (const shard of this.shards.values()) total += shard.consumer?.activity ?? 0;
    return total;
  }

  /** Lists the shards and pins each starting position before returning; throws if the stream cannot be read. */
  async start(): Promise<void> {
    this.discovering++;
    try {
      const { ready } = await this.discover(true);
      await Promise.all(ready.map((consumer) => consumer.open()));
      for (const consumer of ready) this.run(consumer);
    } finally {
      this.discovering--;
    }
  }

  /** Resolves once every shard loop and shard search has returned (after the pump's signal aborted). */
  async settled(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  private track(work: Promise<void>): void {
    const task: Promise<void> = work
      .catch((error: unknown) => this.env.onError(error))
      .finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  private run(consumer: ShardConsumer): void {
    this.track(
      consumer.run().then(() => {
        if (!consumer.ended) return;
        const entry = this.shards.get(consumer.shardId);
        if (entry) entry.state = 'done';
        this.track(this.followLineage());
      }),
    );
  }

  /** After a shard closes: start its children, asking again until they are listed or the stream is gone. */
  private async followLineage(): Promise<void> {
    const { signal } = this.env;
    this.discovering++;
    try {
      while (!signal.aborted) {
        try {
          const { ready, streamEnabled } = await this.discover(false);
          for (const consumer of ready) this.run(consumer);
          const live = [...this.shards.values()].some((shard) => shard.state !== 'done');
          if (live || !streamEnabled) return;
        } catch (error) {
          if (signal.aborted || error instanceof ResourceNotFoundException) return;
          this.env.onError(error);
        }
        await pause(CHILD_SHARD_RETRY_MS, signal);
      }
    } finally {
      this.discovering--;
    }
  }

  /** Registers newly listed shards and returns consumers for those whose parent is done (or gone). */
  private async discover(initial: boolean): Promise<{ ready: ShardConsumer[]; streamEnabled: boolean }> {
    const { shards, streamEnabled } = await this.describeStream();
    const { startingPosition } = this.env.subscription;
    for (const shard of shards) {
      if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      // LATEST starts at the tip of the shards open now; shards that appear later are read from their start.
      const position = initial ? startingPosition : 'TRIM_HORIZON';
      const state = initial && position === 'LATEST' && closed ? 'done' : 'waiting';
      this.shards.set(shard.ShardId, { parentId: shard.ParentShardId, position, state });
    }
    const ready: ShardConsumer[] = [];
    for (const [shardId, entry] of this.shards) {
      const parent = entry.parentId === undefined ? undefined : this.shards.get(entry.parentId);
      if (entry.state !== 'waiting' || (parent && parent.state !== 'done')) continue;
      entry.state = 'running';
      entry.consumer = new ShardConsumer(this.consumerEnvironment, shardId, entry.position);
      ready.push(entry.consumer);
    }
    return { ready, streamEnabled };
  }

  private async describeStream(): Promise<{ shards: Shard[]; streamEnabled: boolean }> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    let status: string | undefined;
    do {
      const { StreamDescription } = await this.env.streams.send(
        new DescribeStreamCommand({
          StreamArn: this.env.source.streamArn,
          ExclusiveStartShardId: exclusiveStartShardId,
        }),
        { abortSignal: this.env.signal },
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      status = StreamDescription?.StreamStatus;
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return { shards, streamEnabled: status === 'ENABLED' || status === 'ENABLING' };
  }
}
