export {
  type AsyncFailureCondition,
  type AsyncFailureRecord,
  type AsyncHandler,
  AsyncInvoker,
  AsyncInvokerConfigError,
  type AsyncInvokerOptions,
  type AsyncInvokerStats,
} from './async-invoke/async-invoker.js';
export {
  type DynamoDbLocal,
  type DynamoDbLocalOptions,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoDbLocal,
} from './dynamodb-local/dynamodb-local.js';
export {
  checkInvariants,
  type GivenUp,
  type InvariantStores,
  type ReceiptState,
} from './invariants/check-invariants.js';
export { LOCAL_S3_CREDENTIALS, type LocalS3, type LocalS3Options, startLocalS3 } from './s3/local-s3.js';
export { type BatchOutcome, batchOutcome, functionFailed } from './stream/batch-outcome.js';
export { compileFilterCriteria, type FilterPattern, FilterPatternError } from './stream/filter-criteria.js';
export { createLambdaContext, type LambdaContextOptions } from './stream/lambda-context.js';
export { itemKey, laneOf } from './stream/lane-of.js';
export { localStreamsClient } from './stream/local-streams-client.js';
export { onFailureFile, parseStreamFailureRecord, readOnFailureFile } from './stream/on-failure-file.js';
export {
  type FailedBatchRecords,
  type FailedBatchSource,
  readFailedBatch,
} from './stream/read-failed-batch.js';
export {
  AttributeValueLostError,
  OnFailureFileError,
  StreamPumpConfigError,
  StreamRecordsTrimmedError,
} from './stream/stream-errors.js';
export type { FailureCondition, StreamFailureRecord } from './stream/stream-failure-record.js';
export {
  type DrainOptions,
  type FailureInfo,
  type OnFailure,
  type StreamHandler,
  StreamPump,
  type StreamPumpOptions,
  type StreamSubscription,
  type StreamsClient,
  type SubscriptionStats,
} from './stream/stream-pump.js';
export {
  type OnLostAttribute,
  type RecordSource,
  toLambdaAttributeValue,
  toLambdaRecord,
} from './stream/to-lambda-record.js';
export { checkItemFormat, type FormatStrictness } from './table-format/check-item-format.js';
export { type RunRecord, RunRecorder } from './telemetry/run-recorder.js';
