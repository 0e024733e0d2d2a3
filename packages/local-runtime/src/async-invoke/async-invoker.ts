import { setTimeout as delay } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import { createLambdaContext } from '../stream/lambda-context.js';
import { pause } from '../stream/pause.js';

/** A function invoked asynchronously: its return value is kept by Lambda, a throw is a failed attempt. */
export type AsyncHandler = (event: unknown, context: Context) => Promise<unknown>;

/** Why an event was given up on, as Lambda names it in the on-failure record. */
export type AsyncFailureCondition = 'RetriesExhausted' | 'EventAgeExceeded';

/** The document Lambda sends to an asynchronous invocation's on-failure destination (SQS, SNS, Lambda, S3). */
export interface AsyncFailureRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: AsyncFailureCondition;
    readonly approximateInvokeCount: number;
  };
  readonly requestPayload: unknown;
  /** The last attempt's outcome; absent when the event aged out before any attempt. */
  readonly responseContext?: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError: 'Unhandled';
  };
  readonly responsePayload?: { readonly errorType: string; readonly errorMessage: string };
}

export interface AsyncInvokerOptions {
  readonly name: string;
  readonly handler: AsyncHandler;
  /** Retries after a failed attempt (0–2, Lambda's range; default 2). */
  readonly maximumRetryAttempts?: number;
  /** Events older than this are given up on without another attempt (60–21600 s; default 21600). */
  readonly maximumEventAgeInSeconds?: number;
  /**
   * The waits before each retry. Lambda waits about one minute, then two; the default, 1 s then 2 s, keeps that
   * shape at a local pace.
   */
  readonly retryDelaysMs?: readonly number[];
  /** An attempt settling later than this is a failure (the function's timeout); default 15 minutes. */
  readonly timeoutMs?: number;
  readonly region: string;
  readonly accountId?: string;
  /** The on-failure destination. */
  readonly onFailure?: (record: AsyncFailureRecord) => void | Promise<void>;
  /** The clock for event ages, in epoch ms; default `Date.now`. */
  readonly now?: () => number;
  /**
   * Waits before a retry, resolving early (never rejecting) when `signal` aborts; default a real timer. A
   * simulation passes its virtual clock's.
   */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface AsyncInvokerStats {
  /** Events accepted (`invoke` calls). */
  events: number;
  attempts: number;
  retries: number;
  /** Events given up on (sent to `onFailure`). */
  failures: number;
  /** The most attempts running at once. */
  concurrencyHighWater: number;
}

/** A setting out of the range Lambda accepts. */
export class AsyncInvokerConfigError extends Error {
  override readonly name = 'AsyncInvokerConfigError';
}

/**
 * Invokes a handler the way Lambda runs an asynchronous invocation (`InvocationType: Event`), for local runs: the
 * caller gets the event accepted at once; attempts run in the background, concurrently with each other; a failed
 * attempt (a throw or a timeout) is retried after a delay up to `maximumRetryAttempts` times, unless the event is
 * older than `maximumEventAgeInSeconds`; then `onFailure` receives Lambda's on-failure record. Delivery is at
 * least once, so the handler must be idempotent.
 */
export class AsyncInvoker {
  readonly #options: AsyncInvokerOptions;
  readonly #stats: AsyncInvokerStats = {
    events: 0,
    attempts: 0,
    retries: 0,
    failures: 0,
    concurrencyHighWater: 0,
  };
  readonly #controller = new AbortController();
  readonly #pending = new Set<Promise<void>>();
  #running = 0;
  /** Bumped on every attempt, so a drain can tell lasting quiet from a lucky glance. */
  #activity = 0;

  constructor(options: AsyncInvokerOptions) {
    const retries = options.maximumRetryAttempts ?? 2;
    const age = options.maximumEventAgeInSeconds ?? 21_600;
    if (!Number.isInteger(retries) || retries < 0 || retries > 2)
      throw new AsyncInvokerConfigError(
        `${options.name}: maximumRetryAttempts must be 0, 1 or 2, got ${retries}`,
      );
    if (!Number.isInteger(age) || age < 60 || age > 21_600)
      throw new AsyncInvokerConfigError(
        `${options.name}: maximumEventAgeInSeconds must be an integer from 60 to 21600, got ${age}`,
      );
    this.#options = options;
  }

  /** Accepts an event, as Lambda answers 202 to an asynchronous invocation; the attempts follow in the background. */
  invoke(payload: unknown): void {
    if (this.#controller.signal.aborted) throw new Error(`${this.#options.name}: the invoker is stopped`);
    this.#stats.events++;
    const event = structuredClone(payload);
    const run = this.#run(event, this.#now()).finally(() => this.#pending.delete(run));
    this.#pending.add(run);
  }

  /** Nothing accepted is waiting or running. */
  get idle(): boolean {
    return this.#pending.size === 0;
  }

  get activity(): number {
    return this.#activity;
  }

  /** Starts the counts again from zero, the high-water mark too (a benchmark's warm-up is not measured). */
  resetStats(): void {
    Object.assign(this.#stats, { events: 0, attempts: 0, retries: 0, failures: 0, concurrencyHighWater: 0 });
  }

  stats(): AsyncInvokerStats {
    return { ...this.#stats };
  }

  /** Resolves once every accepted event is done (handled or given up on); rejects after `timeoutMs`. */
  async drain(timeoutMs = 60_000): Promise<void> {
    const giveUpAt = Date.now() + timeoutMs;
    while (this.#pending.size > 0) {
      if (Date.now() > giveUpAt)
        throw new Error(`${this.#options.name}: drain timed out with ${this.#pending.size} events pending`);
      await Promise.race([Promise.allSettled([...this.#pending]), delay(50)]);
    }
  }

  /** Stops retrying and resolves once attempts in flight have returned; no timer is left behind. */
  async stop(): Promise<void> {
    this.#controller.abort();
    await Promise.allSettled([...this.#pending]);
  }

  async #run(payload: unknown, acceptedAt: number): Promise<void> {
    const { maximumRetryAttempts = 2, maximumEventAgeInSeconds = 21_600 } = this.#options;
    const delays = this.#options.retryDelaysMs ?? [1_000, 2_000];
    let attempts = 0;
    let last: { requestId: string; error: unknown } | undefined;
    for (;;) {
      if (this.#now() - acceptedAt > maximumEventAgeInSeconds * 1000) {
        return this.#giveUp(payload, 'EventAgeExceeded', attempts, last);
      }
      attempts++;
      last = await this.#attempt(payload);
      if (!last) return;
      if (attempts > maximumRetryAttempts) return this.#giveUp(payload, 'RetriesExhausted', attempts, last);
      this.#stats.retries++;
      await (this.#options.sleep ?? pause)(
        delays[attempts - 1] ?? delays.at(-1) ?? 1_000,
        this.#controller.signal,
      );
      if (this.#controller.signal.aborted) return;
    }
  }

  /** One attempt; undefined when it succeeded, else its request id and error. */
  async #attempt(payload: unknown): Promise<{ requestId: string; error: unknown } | undefined> {
    const { name, region, accountId = '000000000000', timeoutMs = 900_000 } = this.#options;
    const context = createLambdaContext({ functionName: name, region, accountId, timeoutMs });
    this.#stats.attempts++;
    this.#activity++;
    this.#running++;
    this.#stats.concurrencyHighWater = Math.max(this.#stats.concurrencyHighWater, this.#running);
    try {
      // Each attempt parses its own copy, as on Lambda.
      await this.#options.handler(structuredClone(payload), context);
      if (context.getRemainingTimeInMillis() === 0) {
        return {
          requestId: context.awsRequestId,
          error: new Error(`${name}: task timed out after ${timeoutMs} ms`),
        };
      }
      return undefined;
    } catch (error) {
      return { requestId: context.awsRequestId, error };
    } finally {
      this.#running--;
    }
  }

  async #giveUp(
    payload: unknown,
    condition: AsyncFailureCondition,
    attempts: number,
    last: { requestId: string; error: unknown } | undefined,
  ): Promise<void> {
    const { name, region, accountId = '000000000000' } = this.#options;
    this.#stats.failures++;
    const error = last?.error;
    const record: AsyncFailureRecord = {
      version: '1.0',
      timestamp: new Date(this.#now()).toISOString(),
      requestContext: {
        requestId: last?.requestId ?? crypto.randomUUID(),
        functionArn: `arn:aws:lambda:${region}:${accountId}:function:${name}:$LATEST`,
        condition,
        approximateInvokeCount: attempts,
      },
      requestPayload: payload,
      ...(last && {
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' as const },
        responsePayload: {
          errorType: error instanceof Error ? error.name : typeof error,
          errorMessage: error instanceof Error ? error.message : String(error),
        },
      }),
    };
    await this.#options.onFailure?.(record);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
