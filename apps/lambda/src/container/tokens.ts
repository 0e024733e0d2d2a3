import type {
  Clock,
  CompactionGate,
  CompactionRunRepository,
  Embedder,
  EmbeddingDeltaStore,
  EmbeddingSnapshotStore,
  LabelRepository,
  MerchantRecordRepository,
  ReceiptAnalyzer,
  ReceiptRepository,
  Telemetry,
} from '@receipt-gate/core';
import type { ServiceIdentifier } from 'inversify';
import type { MerchantRecordCodec } from '../adapters/dynamodb/merchant-record-codec.js';
import type { AppConfig } from '../config/app-config.js';
import type { DeadLetterStore } from '../handlers/dispatcher/dead-letters.js';
import type { createDispatcherHandler } from '../handlers/dispatcher/dispatcher-handler.js';
import type { RunCompletionDispatch } from '../handlers/dispatcher/run-completion-dispatch.js';
import type { createUploadHandler } from '../handlers/upload-handler.js';
import type { ValidateFn } from '../handlers/validate-fn.js';
import type { createValidationHandler } from '../handlers/validation-handler.js';

const token = <T>(name: string) => Symbol.for(`receipt-gate.${name}`) as ServiceIdentifier<T>;

/** Explicit injection tokens: bundling strips the type metadata inversify could otherwise infer from. */
export const TOKENS = {
  Config: token<AppConfig>('Config'),
  Clock: token<Clock>('Clock'),
  Telemetry: token<Telemetry>('Telemetry'),
  /** Work to finish before a handler returns (metrics, traces), since Lambda freezes the environment then. */
  Flush: token<() => Promise<void>>('Flush'),
  CompactionRunRepository: token<CompactionRunRepository>('CompactionRunRepository'),
  LabelRepository: token<LabelRepository>('LabelRepository'),
  ReceiptRepository: token<ReceiptRepository>('ReceiptRepository'),
  MerchantRecordRepository: token<MerchantRecordRepository>('MerchantRecordRepository'),
  /** The item format of the table's merchant records (MERCHANT_RECORD). */
  MerchantRecordCodec: token<MerchantRecordCodec>('MerchantRecordCodec'),
  EmbeddingDeltaStore: token<EmbeddingDeltaStore>('EmbeddingDeltaStore'),
  EmbeddingSnapshotStore: token<EmbeddingSnapshotStore>('EmbeddingSnapshotStore'),
  Embedder: token<Embedder>('Embedder'),
  CompactionGate: token<CompactionGate>('CompactionGate'),
  ReceiptAnalyzer: token<ReceiptAnalyzer>('ReceiptAnalyzer'),
  Validate: token<ValidateFn>('Validate'),
  UploadHandler: token<ReturnType<typeof createUploadHandler>>('UploadHandler'),
  /** Where the dispatcher puts records that can never be applied. */
  DeadLetterStore: token<DeadLetterStore>('DeadLetterStore'),
  /** How the dispatcher hands settled runs to the validation (`event` mode). */
  RunCompletionDispatch: token<RunCompletionDispatch>('RunCompletionDispatch'),
  /** The table's one stream reader: the compactor, and in `event` mode the validation's dispatcher. */
  DispatcherHandler: token<ReturnType<typeof createDispatcherHandler>>('DispatcherHandler'),
  ValidationHandler: token<ReturnType<typeof createValidationHandler>>('ValidationHandler'),
} as const;
