export * from './contracts/index.js';
export { FaultInjector, type FaultKind, InjectedPermanentError } from './fault-injector.js';
export * from './fixtures/index.js';
export {
  InMemoryCompactionRunRepository,
  type InMemoryCompactionRunRepositoryOptions,
} from './in-memory-compaction-run-repository.js';
export { InMemoryEmbeddingDeltaStore } from './in-memory-embedding-delta-store.js';
export {
  InMemoryEmbeddingSnapshotStore,
  type InMemoryEmbeddingSnapshotStoreOptions,
  type SnapshotWrite,
} from './in-memory-embedding-snapshot-store.js';
export {
  InMemoryLabelRepository,
  type InMemoryLabelRepositoryOptions,
  type LabelWrite,
} from './in-memory-label-repository.js';
export {
  InMemoryMerchantRecordRepository,
  type InMemoryMerchantRecordRepositoryOptions,
  type MerchantRecordUpdate,
} from './in-memory-merchant-record-repository.js';
export { InMemoryReceiptRepository } from './in-memory-receipt-repository.js';
export {
  InMemoryReceiptVersionStore,
  type InMemoryReceiptVersionStoreOptions,
} from './in-memory-receipt-version-store.js';
export { mulberry32 } from './mulberry32.js';
export { type RecordedMetric, RecordingTelemetry } from './recording-telemetry.js';
export { applyEdits, type SourceEdit } from './source-edits.js';
export { VirtualClock, type VirtualClockRunOptions, VirtualClockStalledError } from './virtual-clock.js';
