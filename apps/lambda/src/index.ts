// What the operator CLI (its commands, demo, bench, eval, local system) builds on: the container, the handlers'
// stream filters and stream mapping settings, the table definition, the item codecs and the operator's queries.
// The Lambda entry points are not here: they build a container at import.
export { SystemClock } from './adapters/clock/system-clock.js';
export { fromCompactionRunItem, toCompactionRunItem } from './adapters/dynamodb/compaction-run-item.js';
export {
  DynamoCompactionRunQueries,
  type RunsCursor,
  type RunsPage,
  type RunsQuery,
  type UnreadableRun,
} from './adapters/dynamodb/dynamo-compaction-run-queries.js';
export { labelKey } from './adapters/dynamodb/keys.js';
export { toReceiptPlaceItem } from './adapters/dynamodb/receipt-place-item.js';
export { ensureTable, tableDefinition } from './adapters/dynamodb/table-schema.js';
export { toWordLabelItem } from './adapters/dynamodb/word-label-item.js';
export {
  LanceDbEmbeddingSnapshotStore,
  type LanceDbEmbeddingSnapshotStoreOptions,
  type TableOptimization,
} from './adapters/lancedb/lancedb-embedding-snapshot-store.js';
export { LazyLlmAnalyzer } from './adapters/llm/lazy-llm-analyzer.js';
export { OllamaConfig, ollamaConfigFromEnv } from './adapters/llm/ollama-config.js';
export { OllamaEmbedder, type OllamaEmbedderOptions } from './adapters/ollama/ollama-embedder.js';
export { S3EmbeddingDeltaStore } from './adapters/s3/s3-embedding-delta-store.js';
export { configuredRedactor } from './adapters/secrets/configured-redactor.js';
export { ConsoleTelemetry } from './adapters/telemetry/console-telemetry.js';
export {
  type AnalyzerConfig,
  type AppConfig,
  analyzerConfigFromEnv,
  ConfigError,
  type ConfigOptions,
  configFromEnv,
  type EmbeddingsConfig,
  type MerchantRecordFormat,
  MS_RANGES,
  type RunMode,
} from './config/app-config.js';
export { parseUrlSetting } from './config/url-setting.js';
export { type ContainerOverrides, createContainer } from './container/create-container.js';
export {
  createDeltaStore,
  createEmbedder,
  type S3Credentials,
} from './container/embedding-stores.js';
export { createSnapshotStore } from './container/lancedb-snapshot-store.js';
export { TOKENS } from './container/tokens.js';
export type { DeadLetter, DeadLetterStore } from './handlers/dispatcher/dead-letters.js';
export { compactionFilters, dispatcherFilters } from './handlers/dispatcher/dispatcher-filters.js';
export {
  type RunCompletionDispatch,
  type ValidationRequestEvent,
  validationRequestOf,
} from './handlers/dispatcher/run-completion-dispatch.js';
export {
  type AsyncInvokeSettings,
  DISPATCHER_STREAM_SETTINGS,
  type StreamMappingSettings,
  VALIDATION_INVOKE_SETTINGS,
} from './handlers/event-source-settings.js';
export { InvalidUploadError } from './handlers/parse-upload.js';
export {
  NothingToRecompactError,
  type RecompactReceiptDeps,
  recompactReceipt,
} from './handlers/recompact-receipt.js';
export {
  STREAM_MAPPINGS,
  type StreamBatchHandler,
  type StreamMappingDefinition,
} from './handlers/stream-mappings.js';
export type { UploadResult } from './handlers/upload-handler.js';
export type { ValidationResult } from './handlers/validation-handler.js';
