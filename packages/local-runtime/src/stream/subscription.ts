import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import {
  compileFilterCriteria,
  type FilterPattern,
  FilterPatternError,
  type RecordFilter,
} from './filter-criteria.js';
import { StreamPumpConfigError } from './stream-errors.js';
import type { FailureCondition, StreamFailureRecord } from './stream-failure-record.js';

export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
  // biome-ignore lint/suspicious/noConfusingVoidType: the aws-lambda handler type: returning nothing is success.
) => Promise<DynamoDBBatchResponse | void>;

export interface FailureInfo {
  readonly subscription: string;
  readonly shardId: string;
  /** Invocations of the batch given up on (1 + its retries; 0 when it aged out before any). */
  readonly attempts: number;
  readonly condition: FailureCondition;
  /** The document Lambda sends to an on-failure destination for this batch. */
  readonly invocationRecord: StreamFailureRecord;
}

/** An on-failure destination: gets the records given up on, the last error, and where they came from. */
export type OnFailure = (
  records: DynamoDBRecord[],
  error: unknown,
  info: FailureInfo,
) => void | Promise<void>;

/**
 * One event source mapping: a function and how the stream is fed to it. The settings are those of
 * `CreateEventSourceMapping` for a DynamoDB stream, with `FunctionResponseTypes: ['ReportBatchItemFailures']`.
 */
export interface StreamSubscription {
  /** Also the function name in the handler's context (Lambda's function name rules: 1-64 of `A-Za-z0-9_-`). */
  readonly name: string;
  readonly handler: StreamHandler;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Most records per invocation, 1 to 10000; default 100. */
  readonly batchSize?: number;
  /**
   * Gather records for up to this long before invoking, 0 to 300; default 0. As on Lambda for streams, a lane's
   * window begins when its previous invocation completes; a full batch or a 6 MB payload ends it early.
   */
  readonly maximumBatchingWindowInSeconds?: number;
  /**
   * Batches processed at once per shard, 1 to 10; default 1. Records go to a lane by their item key (partition
   * and sort key), so each item's records stay in order on one lane while different items run concurrently.
   */
  readonly parallelizationFactor?: number;
  /** Lambda `FilterCriteria` patterns (up to 5); a record passes if it matches any. */
  readonly filters?: readonly FilterPattern[];
  /**
   * Retries of a failing batch before it goes to `onFailure` (so 1 + this many invocations), 0 to 10000, or -1 /
   * `Infinity` for no limit (Lambda's own default); default 3.
   */
  readonly maximumRetryAttempts?: number;
  /** Records older than this many seconds go to `onFailure` instead of the function: -1 (no limit, the default) or 60 to 604800. */
  readonly maximumRecordAgeInSeconds?: number;
  /** On a function error (throw or timeout), split the batch in two and process the halves in order; default false. */
  readonly bisectBatchOnFunctionError?: boolean;
  /** The function's timeout: a handler settling later counts as failed, as Lambda's would; default 60 s. */
  readonly timeoutMs?: number;
  /** The on-failure destination: a callback, or `onFailureFile(path)` for Lambda's invocation records as JSON lines. */
  readonly onFailure?: OnFailure;
  /** Fault injection: deliver every batch twice, as at-least-once delivery may. */
  readonly redeliver?: boolean;
}

export interface SubscriptionStats {
  invocations: number;
  /** Records handed to the handler, re-deliveries included. */
  recordsDelivered: number;
  /** Re-deliveries after a failed invocation (a bisection is not a retry). */
  retries: number;
  /** Records given to the on-failure destination, aged out or out of retries. */
  recordsSentToOnFailure: number;
  /** Of those, records given up on for `maximumRecordAgeInSeconds`. */
  recordsAgedOut: number;
  /** Records skipped (and checkpointed) because no filter matched. */
  recordsFiltered: number;
  /** Failed batches split in two. */
  batchesBisected: number;
  /** The most invocations of this subscription in flight at once, over all shards and lanes. */
  concurrentBatchesHighWater: number;
  /** Invocations per lane (index 0 to `parallelizationFactor - 1`), all shards together. */
  batchesPerLane: number[];
  /**
   * Per record, at its first delivery: handler start minus the record's `ApproximateCreationDateTime` (what Lambda's
   * `IteratorAge` measures). That time has whole seconds on AWS; DynamoDB Local rounds it down to the minute.
   */
  recordLatencyMs: number[];
  /** Per record, at its first delivery: handler start minus the time the pump read it from the stream. */
  recordWaitMs: number[];
}

export interface ResolvedSubscription {
  readonly name: string;
  readonly handler: StreamHandler;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly parallelizationFactor: number;
  readonly accepts: RecordFilter;
  readonly maximumRetryAttempts: number;
  /** Infinity when records may be of any age. */
  readonly maximumRecordAgeMs: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly timeoutMs: number;
  readonly onFailure: OnFailure | undefined;
  readonly redeliver: boolean;
}

const SETTINGS = new Set([
  'name',
  'handler',
  'startingPosition',
  'batchSize',
  'maximumBatchingWindowInSeconds',
  'parallelizationFactor',
  'filters',
  'maximumRetryAttempts',
  'maximumRecordAgeInSeconds',
  'bisectBatchOnFunctionError',
  'timeoutMs',
  'onFailure',
  'redeliver',
]);

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new StreamPumpConfigError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

function booleanSetting(name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean')
    throw new StreamPumpConfigError(`${name} must be true or false, got ${JSON.stringify(value)}`);
  return value ?? false;
}

function retryAttempts(name: string, value: number): number {
  if (value === -1 || value === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(value) || value < 0 || value > 10_000)
    throw new StreamPumpConfigError(
      `${name} must be -1 (no limit) or an integer from 0 to 10000, got ${value}`,
    );
  return value;
}

function recordAgeMs(name: string, value: number): number {
  if (value === -1) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(value) || value < 60 || value > 604_800)
    throw new StreamPumpConfigError(
      `${name} must be -1 (no limit) or an integer from 60 to 604800, got ${value}`,
    );
  return value * 1000;
}

/** Applies the defaults and validates like `CreateEventSourceMapping` would, so mistakes fail at construction. */
export function resolveSubscription(subscription: StreamSubscription): ResolvedSubscription {
  const { name } = subscription;
  if (typeof name !== 'string' || !FUNCTION_NAME.test(name))
    throw new StreamPumpConfigError(
      `a subscription's name must be 1 to 64 letters, digits, - or _ (a function name), got ${JSON.stringify(name)}`,
    );
  const unknown = Object.keys(subscription).filter((key) => !SETTINGS.has(key));
  if (unknown.length > 0)
    throw new StreamPumpConfigError(
      `${name}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
    );
  if (typeof subscription.handler !== 'function')
    throw new StreamPumpConfigError(`${name}: handler must be a function`);
  if (subscription.startingPosition !== 'TRIM_HORIZON' && subscription.startingPosition !== 'LATEST')
    throw new StreamPumpConfigError(`${name}: startingPosition must be TRIM_HORIZON or LATEST`);
  if (subscription.onFailure !== undefined && typeof subscription.onFailure !== 'function')
    throw new StreamPumpConfigError(`${name}: onFailure must be a function (or onFailureFile(path))`);
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
    batchingWindowMs:
      integerIn(
        `${name}: maximumBatchingWindowInSeconds`,
        subscription.maximumBatchingWindowInSeconds ?? 0,
        0,
        300,
      ) * 1000,
    parallelizationFactor: integerIn(
      `${name}: parallelizationFactor`,
      subscription.parallelizationFactor ?? 1,
      1,
      10,
    ),
    accepts,
    maximumRetryAttempts: retryAttempts(
      `${name}: maximumRetryAttempts`,
      subscription.maximumRetryAttempts ?? 3,
    ),
    maximumRecordAgeMs: recordAgeMs(
      `${name}: maximumRecordAgeInSeconds`,
      subscription.maximumRecordAgeInSeconds ?? -1,
    ),
    bisectBatchOnFunctionError: booleanSetting(
      `${name}: bisectBatchOnFunctionError`,
      subscription.bisectBatchOnFunctionError,
    ),
    timeoutMs: integerIn(`${name}: timeoutMs`, subscription.timeoutMs ?? 60_000, 1, 900_000),
    onFailure: subscription.onFailure,
    redeliver: booleanSetting(`${name}: redeliver`, subscription.redeliver),
  };
}

export const emptyStats = (lanes: number): SubscriptionStats => ({
  invocations: 0,
  recordsDelivered: 0,
  retries: 0,
  recordsSentToOnFailure: 0,
  recordsAgedOut: 0,
  recordsFiltered: 0,
  batchesBisected: 0,
  concurrentBatchesHighWater: 0,
  batchesPerLane: Array.from({ length: lanes }, () => 0),
  recordLatencyMs: [],
  recordWaitMs: [],
});

/** A copy that shares nothing with the live counters. */
export const copyStats = (stats: SubscriptionStats): SubscriptionStats => ({
  ...stats,
  batchesPerLane: [...stats.batchesPerLane],
  recordLatencyMs: [...stats.recordLatencyMs],
  recordWaitMs: [...stats.recordWaitMs],
});
