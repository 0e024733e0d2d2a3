import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import {
  compileFilterCriteria,
  type FilterPattern,
  FilterPatternError,
  type RecordFilter,
} from './filter-criteria.js';

export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
  // biome-ignore lint/suspicious/noConfusingVoidType: the aws-lambda handler type: returning nothing is success.
) => Promise<DynamoDBBatchResponse | void>;

export interface FailureInfo {
  readonly subscription: string;
  readonly shardId: string;
  /** Failed attempts of the first record handed over (1 + the retries). */
  readonly attempts: number;
}

/** An on-failure destination: gets the records given up on, the last error, and where they came from. */
export type OnFailure = (
  records: DynamoDBRecord[],
  error: unknown,
  info: FailureInfo,
) => void | Promise<void>;

/** One event source mapping: a function and how the stream is fed to it. */
export interface StreamSubscription {
  /** Also the function name in the handler's context. */
  readonly name: string;
  readonly handler: StreamHandler;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Most records per invocation, 1 to 10000 (Lambda's range); default 100. */
  readonly batchSize?: number;
  /** Lambda `FilterCriteria` patterns (up to 5); a record passes if it matches any. */
  readonly filters?: readonly FilterPattern[];
  /**
   * Retries of a failing record before it goes to `onFailure` (so 1 + this many attempts), 0 to 10000, or -1 /
   * `Infinity` for no limit (Lambda's own default); default 3.
   */
  readonly maximumRetryAttempts?: number;
  /** The function's timeout: a handler settling later counts as failed, as Lambda's would; default 60 s. */
  readonly timeoutMs?: number;
  readonly onFailure?: OnFailure;
  /** Fault injection: deliver every batch twice, as at-least-once delivery may. */
  readonly redeliver?: boolean;
}

export interface SubscriptionStats {
  invocations: number;
  /** Records handed to the handler, re-deliveries included. */
  recordsDelivered: number;
  /** Re-deliveries after a failed invocation. */
  retries: number;
  recordsSentToOnFailure: number;
  /** Records skipped (and checkpointed) because no filter matched. */
  recordsFiltered: number;
}

export interface ResolvedSubscription {
  readonly name: string;
  readonly handler: StreamHandler;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly batchSize: number;
  readonly accepts: RecordFilter;
  readonly maximumRetryAttempts: number;
  readonly timeoutMs: number;
  readonly onFailure: OnFailure | undefined;
  readonly redeliver: boolean;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

/** Applies the defaults and validates like `CreateEventSourceMapping` would, so mistakes fail at construction. */
export function resolveSubscription(subscription: StreamSubscription): ResolvedSubscription {
  const { name } = subscription;
  if (!name) throw new TypeError('a subscription needs a name');
  if (subscription.startingPosition !== 'TRIM_HORIZON' && subscription.startingPosition !== 'LATEST')
    throw new TypeError(`${name}: startingPosition must be TRIM_HORIZON or LATEST`);
  const retries = subscription.maximumRetryAttempts ?? 3;
  let accepts: RecordFilter;
  try {
    accepts = compileFilterCriteria(subscription.filters);
  } catch (error) {
    if (error instanceof FilterPatternError) throw new FilterPatternError(`${name}: ${error.message}`);
    throw error;
  }
  return {
    name,
    handler: subscription.handler,
    startingPosition: subscription.startingPosition,
    batchSize: integerIn(`${name}: batchSize`, subscription.batchSize ?? 100, 1, 10_000),
    accepts,
    maximumRetryAttempts:
      retries === -1 || retries === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : integerIn(`${name}: maximumRetryAttempts`, retries, 0, 10_000),
    timeoutMs: integerIn(`${name}: timeoutMs`, subscription.timeoutMs ?? 60_000, 1, 900_000),
    onFailure: subscription.onFailure,
    redeliver: subscription.redeliver ?? false,
  };
}

export const emptyStats = (): SubscriptionStats => ({
  invocations: 0,
  recordsDelivered: 0,
  retries: 0,
  recordsSentToOnFailure: 0,
  recordsFiltered: 0,
});
