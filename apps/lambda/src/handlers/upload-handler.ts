import type {
  Clock,
  CompactionRunKey,
  CompactionRunRepository,
  Embedder,
  EmbeddingDeltaStore,
  MerchantRecordRepository,
  ReceiptRepository,
  Telemetry,
  ValidationReport,
} from '@receipt-gate/core';
import type { Context } from 'aws-lambda';
import type { RunMode } from '../config/app-config.js';
import { writeCompactionRun } from './compaction-run-writer.js';
import { contentRunId } from './content-run-id.js';
import { deadlineFrom } from './lambda-deadline.js';
import { parseUpload } from './parse-upload.js';
import type { ValidateFn } from './validate-fn.js';

export interface UploadHandlerDeps {
  readonly mode: RunMode;
  readonly inlineReserveMs: number;
  readonly receipts: ReceiptRepository;
  readonly metadata: MerchantRecordRepository;
  readonly runs: CompactionRunRepository;
  readonly deltas: EmbeddingDeltaStore;
  readonly embedder: Embedder;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly validate: ValidateFn;
  readonly flush: () => Promise<void>;
}

export interface UploadResult {
  readonly run: CompactionRunKey;
  readonly mode: RunMode;
  /** In `inline` mode, what the validation did; in `event` mode the run's stream starts it. */
  readonly validation?: ValidationReport;
}

/**
 * Stores one OCR'd receipt — lines, words, merchant record, the embedding deltas, and last the COMPACTION_RUN whose
 * INSERT starts the compactor — then, in `inline` mode, validates it awaited within this invocation's budget.
 * A bad upload is refused whole before any write.
 */
export function createUploadHandler(deps: UploadHandlerDeps) {
  return async (event: unknown, context: Context): Promise<UploadResult> => {
    try {
      const upload = parseUpload(event);
      const { receipt, lines, words, metadata } = upload;
      const run = { ...receipt, runId: upload.runId ?? contentRunId(receipt, { lines, words, metadata }) };

      await deps.receipts.saveReceiptContent({ lines, words });
      // Created only if absent: a retried upload must not undo a correction made since the first attempt, nor
      // replace a record another service wrote.
      if (metadata) await deps.metadata.addMerchantRecord(metadata);
      await writeCompactionRun(deps, run, { lines, words, ...(metadata && { metadata }) });
      deps.telemetry.event({ type: 'upload.stored', run, lines: lines.length, words: words.length });

      if (deps.mode === 'event') return { run, mode: deps.mode };
      const deadlineAt = deadlineFrom(context, deps.clock, deps.inlineReserveMs);
      return { run, mode: deps.mode, validation: await deps.validate({ run, deadlineAt }) };
    } finally {
      await deps.flush();
    }
  };
}
