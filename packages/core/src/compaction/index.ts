export {
  applyMetadataToSnapshots,
  type MetadataModification,
  type MetadataSnapshotUpdate,
} from './apply-metadata-to-snapshots.js';
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
export { HashingEmbedder, type HashingEmbedderOptions } from './hashing-embedder.js';
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
export { ReceiptNotMergedError } from './receipt-not-merged-error.js';
export { refreshWordLabelFields } from './refresh-word-label-fields.js';
export {
  deltaPrefix,
  deltaPrefixes,
  lineVectorId,
  receiptVectorPrefix,
  type WordRef,
  wordVectorId,
} from './vector-ids.js';
