export {
  type DynamoDbLocal,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoDbLocal,
} from './dynamodb-local/dynamodb-local.js';
export {
  checkInvariants,
  type InvariantStores,
  type ReceiptState,
} from './invariants/check-invariants.js';
export { compileFilterCriteria, type FilterPattern, FilterPatternError } from './stream/filter-criteria.js';
export { createLambdaContext, type LambdaContextOptions } from './stream/lambda-context.js';
export { localStreamsClient } from './stream/local-streams-client.js';
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
export { type RecordSource, toLambdaAttributeValue, toLambdaRecord } from './stream/to-lambda-record.js';
export { checkItemFormat, type FormatStrictness } from './table-format/check-item-format.js';
export { type RunRecord, RunRecorder } from './telemetry/run-recorder.js';
