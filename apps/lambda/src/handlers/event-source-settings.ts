/**
 * How a stream is fed to a handler: the settings of a Lambda event source mapping on the table's stream. Defined
 * once here and read by both the CDK app (the deployed mappings) and the local system's stream pump, so what runs
 * locally is what is deployed. Names follow `CreateEventSourceMapping`.
 */
export interface StreamMappingSettings {
  /** Most records per invocation (1–10000). */
  readonly batchSize: number;
  /** Concurrent batches per shard (1–10); records of one partition key stay in order either way. */
  readonly parallelizationFactor: number;
  /** How long Lambda gathers records before invoking (0–300 s). */
  readonly maximumBatchingWindowInSeconds: number;
  /** Retries of a failing record before it goes to the on-failure destination: bounded, never -1. */
  readonly maximumRetryAttempts: number;
  /** Records older than this go to the on-failure destination unprocessed (60–604800 s): bounded, never -1. */
  readonly maximumRecordAgeInSeconds: number;
  /** On a failed invocation, split the batch in two and retry each half. */
  readonly bisectBatchOnFunctionError: boolean;
  /** The handler reports failed records (`batchItemFailures`); the batch is retried from the first of them. */
  readonly reportBatchItemFailures: boolean;
}

/**
 * The compactor's mapping. Records are taken one shard at a time, in order: compactions of different receipts
 * patch the same collections, so they stay serial until the compactor batches by receipt. The retries are many
 * because a label or merchant change that reaches the compactor before its receipt is merged is retried until the
 * merge lands (`RetryLaterError`); the record age bounds how long such a record can hold its shard.
 */
export const COMPACTION_STREAM_SETTINGS: StreamMappingSettings = {
  batchSize: 100,
  parallelizationFactor: 1,
  maximumBatchingWindowInSeconds: 0,
  maximumRetryAttempts: 100,
  maximumRecordAgeInSeconds: 6 * 3600,
  bisectBatchOnFunctionError: true,
  reportBatchItemFailures: true,
};

/**
 * The validation's mapping (`event` mode): a settled run's MODIFY starts one validation. A failure is retried a
 * few times (a `fail` outcome policy, a transient error) and then set aside in the on-failure destination.
 */
export const VALIDATION_STREAM_SETTINGS: StreamMappingSettings = {
  batchSize: 10,
  parallelizationFactor: 1,
  maximumBatchingWindowInSeconds: 0,
  maximumRetryAttempts: 3,
  maximumRecordAgeInSeconds: 3600,
  bisectBatchOnFunctionError: true,
  reportBatchItemFailures: true,
};
