import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { StreamsClient } from './shard-consumer.js';
import { StreamPumpConfigError } from './stream-errors.js';
import {
  copyStats,
  emptyStats,
  resolveSubscription,
  type StreamSubscription,
  type SubscriptionStats,
} from './subscription.js';
import { SubscriptionRunner } from './subscription-runner.js';

export type { StreamsClient } from './shard-consumer.js';
export type {
  FailureInfo,
  OnFailure,
  StreamHandler,
  StreamSubscription,
  SubscriptionStats,
} from './subscription.js';

export interface StreamPumpOptions {
  readonly streamsClient: StreamsClient;
  readonly streamArn: string;
  /** The region put in every record and context (DynamoDB Local reports `ddblocal`). */
  readonly region: string;
  /** Pause between reads of a shard that had nothing new; default 100 ms (Lambda reads about every 250 ms). */
  readonly pollIntervalMs?: number;
  /** Pause before re-delivering a failed batch, and after a failed stream call; default 100 ms. */
  readonly retryDelayMs?: number;
  /** Stream-side errors the pump retries past (handler failures go through retries and `onFailure` instead). */
  readonly onError?: (error: unknown, where: { subscription: string; shardId?: string }) => void;
  /**
   * The clock for record ages, batching windows and latencies, in epoch ms; default `Date.now`. Tests may shift it
   * to age records; it must advance like real time for batching windows to end.
   */
  readonly now?: () => number;
}

export interface DrainOptions {
  /** How long everything must stay quiet; longer than a poll plus the stream's lag. Default 3 polls, at least 300 ms. */
  readonly idleMs?: number;
  /** Rejects after this long; default 10 s. */
  readonly timeoutMs?: number;
}

const DRAIN_CHECK_MS = 10;
/** The most a Node timer can wait. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function delayOption(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback;
  if (!Number.isInteger(ms) || ms < 1 || ms > MAX_TIMER_MS)
    throw new StreamPumpConfigError(`${name} must be an integer from 1 to ${MAX_TIMER_MS} ms, got ${ms}`);
  return ms;
}

const warn = (error: unknown, where: { subscription: string; shardId?: string }) =>
  console.warn(`[stream-pump] ${where.subscription}${where.shardId ? ` ${where.shardId}` : ''}:`, error);

/**
 * Feeds a DynamoDB stream to handlers the way Lambda's event source mappings do, for local runs and tests: each
 * subscription reads the stream on its own and gets Lambda-shaped events, in order per item, with filtering,
 * batching windows, concurrent batches per shard, `batchItemFailures`, retries, bisection, a maximum record age
 * and an on-failure destination. Delivery is at least once.
 */
export class StreamPump {
  private readonly runners: SubscriptionRunner[];
  private readonly controller = new AbortController();
  private readonly pollIntervalMs: number;
  private state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  constructor(options: StreamPumpOptions, subscriptions: readonly StreamSubscription[]) {
    // Every lane, reader and request in flight listens for stop: tens of listeners are expected, not a leak.
    setMaxListeners(0, this.controller.signal);
    const names = new Set<string>();
    const onError = options.onError ?? warn;
    const accountId = options.streamArn.split(':')[4] || '000000000000';
    this.pollIntervalMs = delayOption('pollIntervalMs', options.pollIntervalMs, 100);
    const retryDelayMs = delayOption('retryDelayMs', options.retryDelayMs, 100);
    const now = options.now ?? Date.now;
    this.runners = subscriptions.map((subscription) => {
      const resolved = resolveSubscription(subscription);
      if (names.has(resolved.name))
        throw new StreamPumpConfigError(`two subscriptions are named ${resolved.name}`);
      names.add(resolved.name);
      return new SubscriptionRunner({
        streams: options.streamsClient,
        source: { streamArn: options.streamArn, region: options.region },
        accountId,
        subscription: resolved,
        signal: this.controller.signal,
        pollIntervalMs: this.pollIntervalMs,
        retryDelayMs,
        now,
        onError: (error, shardId) => onError(error, { subscription: resolved.name, shardId }),
      });
    });
  }

  /** Resolves once every subscription has its starting positions (LATEST means "after this resolves"). */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`cannot start a pump that is ${this.state}`);
    this.state = 'starting';
    try {
      await Promise.all(this.runners.map((runner) => runner.start()));
      if (this.state === 'starting') this.state = 'running';
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Stops reading and resolves once in-flight handler calls have returned; no timer or request is left behind. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.controller.abort();
    await Promise.all(this.runners.map((runner) => runner.settled()));
  }

  /**
   * Resolves when every subscription has caught up with the stream and no handler is running, and that has lasted
   * `idleMs` (records a handler writes show up in the stream a little later). Rejects after `timeoutMs`.
   */
  async drain(options: DrainOptions = {}): Promise<void> {
    const idleMs = options.idleMs ?? Math.max(300, 3 * this.pollIntervalMs);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const startedAt = Date.now();
    let quietSince = startedAt;
    let lastActivity = -1;
    for (;;) {
      if (this.state !== 'running') throw new Error(`cannot drain a pump that is ${this.state}`);
      const now = Date.now();
      const activity = this.runners.reduce((sum, runner) => sum + runner.activity, 0);
      if (activity !== lastActivity || this.runners.some((runner) => !runner.idle)) {
        quietSince = now;
        lastActivity = activity;
      } else if (
        now - quietSince >= idleMs &&
        this.runners.every((runner) => runner.caughtUpSince(quietSince))
      ) {
        // A read begun before the quiet may have missed the last writes: one begun since must find nothing.
        return;
      }
      if (now - startedAt >= timeoutMs) {
        const busy = this.runners.filter((runner) => !runner.idle).map((runner) => runner.name);
        throw new Error(
          `drain timed out after ${timeoutMs} ms; still busy: ${busy.join(', ') || '(none, but active)'}`,
        );
      }
      await delay(DRAIN_CHECK_MS);
    }
  }

  /** A snapshot of each subscription's counters, by name. */
  /** Starts every subscription's counts again from zero, high-water marks too (a benchmark's warm-up is not measured). */
  resetStats(): void {
    for (const runner of this.runners) {
      Object.assign(runner.stats, emptyStats(runner.stats.batchesPerLane.length));
    }
  }

  stats(): Record<string, SubscriptionStats> {
    return Object.fromEntries(this.runners.map((runner) => [runner.name, copyStats(runner.stats)]));
  }

  /**
   * Each subscription's checkpoint per shard, by name then shard id: the sequence number up to which every record
   * is done (handled, filtered out or given up on), as Lambda would checkpoint it.
   */
  checkpoints(): Record<string, Record<string, string | undefined>> {
    return Object.fromEntries(this.runners.map((runner) => [runner.name, runner.checkpoints()]));
  }
}
