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
 * The dispatcher's mapping, the table's one stream reader of ours (the compactor, and in `event` mode the hand-off
 * of settled runs to the validation). Batches are grouped by receipt and coalesced, and the receipts of a batch run
 * side by side, so bigger batches mean fewer merges, refreshes and snapshot versions; a one-second window lets a
 * burst gather. One batch per shard at a time: Lambda keeps order per item, so with more, a receipt's label records
 * spread over the concurrent batches and each refreshes the receipt's vectors again (`pnpm bench:e2e` at 150
 * receipts: factor 4 made 4.6 refreshes and 11 queries per receipt, factor 1 made 1.2 and 6, with 40 % less Node
 * CPU). More lanes would not isolate a slow merge either: the shard stops being read once any lane's next batch is
 * full. Only transient failures are retried (changes for receipts not merged yet are acknowledged, poison records
 * dead-lettered), so a few retries suffice, and the record age bounds how long any record can hold its shard.
 */
export const DISPATCHER_STREAM_SETTINGS: StreamMappingSettings = {
  batchSize: 1000,
  parallelizationFactor: 1,
  maximumBatchingWindowInSeconds: 1,
  maximumRetryAttempts: 10,
  maximumRecordAgeInSeconds: 3600,
  bisectBatchOnFunctionError: true,
  reportBatchItemFailures: true,
};

/** How Lambda invokes a function asynchronously (`PutFunctionEventInvokeConfig`). */
export interface AsyncInvokeSettings {
  /** Retries after a failed invocation (0–2), then the on-failure destination. */
  readonly maximumRetryAttempts: number;
  /** An event older than this goes to the on-failure destination unprocessed (60–21600 s). */
  readonly maximumEventAgeInSeconds: number;
}

/**
 * The validation's asynchronous invocation by the dispatcher (`event` mode): a failure (a `fail` outcome policy, a
 * transient error) is retried twice, Lambda's most, then set aside in the on-failure destination.
 */
export const VALIDATION_INVOKE_SETTINGS: AsyncInvokeSettings = {
  maximumRetryAttempts: 2,
  maximumEventAgeInSeconds: 3600,
};
