export {
  applyChains,
  type Chain,
  type ChainedRecord,
  chainsOf,
  type RecordFailure,
  type Segment,
} from './batch-chains.js';
export {
  buildEmbeddingDeltas,
  type EmbeddingDeltas,
  type ReceiptEmbeddingInput,
} from './build-embedding-deltas.js';
export {
  type CollectionCompactionResult,
  type CompactRunDeps,
  type CompactRunResult,
  compactRun,
} from './compact-run.js';
export {
  type CompactBatchDeps,
  type CompactBatchResult,
  type CompactionChange,
  type CompactionRecord,
  CompactionRetryError,
  compactBatch,
} from './compaction-batch.js';
export { HashingEmbedder, type HashingEmbedderOptions } from './hashing-embedder.js';
export { holdsFields } from './holds-fields.js';
export {
  LABEL_VECTOR_FIELDS,
  type LabelVectorFields,
  labelVectorFields,
  type WordLabelStatus,
} from './label-vector-fields.js';
export {
  METADATA_VECTOR_FIELDS,
  type MetadataVectorFields,
  metadataVectorFields,
} from './metadata-vector-fields.js';
export {
  type ReceiptStatePart,
  type ReceiptStateSource,
  type ReceiptVectorState,
  readReceiptVectorState,
  sameVectorState,
  stateFields,
} from './receipt-vector-state.js';
export { collectionsOf, type RefreshReceiptDeps, refreshReceiptVectors } from './refresh-receipt-vectors.js';
export {
  deltaPrefix,
  deltaPrefixes,
  lineVectorId,
  receiptVectorPrefix,
  type WordRef,
  wordVectorId,
} from './vector-ids.js';
