export {
  type CompactionRunRepositoryContractSubject,
  compactionRunRepositoryContract,
} from './compaction-run-repository-contract.js';
export { legacyMetadataFields } from './contract-fixtures.js';
export type {
  ContractAssertion,
  ContractExpect,
  ContractOptions,
  ContractTestApi,
} from './contract-test-api.js';
export {
  type EmbeddingDeltaStoreContractSubject,
  embeddingDeltaStoreContract,
} from './embedding-delta-store-contract.js';
export {
  atFloat32,
  type EmbeddingSnapshotStoreContractSubject,
  embeddingSnapshotStoreContract,
} from './embedding-snapshot-store-contract.js';
export { type LabelRepositoryContractSubject, labelRepositoryContract } from './label-repository-contract.js';
export {
  type MerchantRecordRepositoryContractSubject,
  merchantRecordRepositoryContract,
} from './merchant-record-repository-contract.js';
export {
  type ReceiptRepositoryContractSubject,
  receiptRepositoryContract,
} from './receipt-repository-contract.js';
export {
  type ReceiptVersionStoreContractSubject,
  receiptVersionStoreContract,
} from './receipt-version-store-contract.js';
