import {
  type Clock,
  type CompactionGate,
  type CompactionRunKey,
  type Embedder,
  type EmbeddingDeltaStore,
  type EmbeddingSnapshotStore,
  ReceiptVersionRefusedError,
  type ReceiptVersionStore,
  type StoreReceiptVersionResult,
  storeReceiptVersion,
  type Telemetry,
  type ValidationReport,
} from '@receipt-gate/core';
import type { Context } from 'aws-lambda';
import type { RunMode } from '../config/app-config.js';
import { contentRunId } from './content-run-id.js';
import { deadlineFrom } from './lambda-deadline.js';
import { InvalidUploadError, parseUpload } from './parse-upload.js';
import type { ValidateFn } from './validate-fn.js';

export interface UploadHandlerDeps {
  readonly mode: RunMode;
  readonly inlineReserveMs: number;
  readonly versions: ReceiptVersionStore;
  readonly deltas: EmbeddingDeltaStore;
  readonly snapshots: EmbeddingSnapshotStore;
  readonly embedder: Embedder;
  /** Waits for the compaction of a version being replaced. */
  readonly gate: CompactionGate;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly validate: ValidateFn;
  readonly flush: () => Promise<void>;
}

export interface UploadResult {
  readonly run: CompactionRunKey;
  readonly mode: RunMode;
  /** A first version of the receipt, one replacing another, or the same content again (nothing written). */
  readonly outcome: StoreReceiptVersionResult['outcome'];
  /** What a replacement removed, and the decided labels it kept on words whose text changed. */
  readonly removed: StoreReceiptVersionResult['removed'];
  readonly decidedLabelsKept: StoreReceiptVersionResult['decidedLabelsKept'];
  /** In `inline` mode, what the validation did; in `event` mode the run's stream starts it. */
  readonly validation?: ValidationReport;
}

/**
 * Stores one OCR'd receipt as the receipt's one version (`storeReceiptVersion`): lines, words, the merchant record
 * if it has none, the embedding deltas, and last the COMPACTION_RUN whose INSERT starts the compactor. Then, in
 * `inline` mode, validates it awaited within this invocation's budget.
 *
 * Refused whole before any write, with an InvalidUploadError naming every problem: a malformed event, values the
 * domain does not allow, anything DynamoDB would refuse (its limits, checked on the items as they will be
 * written), a `runId` that is not this content's, and a replacement that would drop a word holding a decided label.
 * A failure after the first write undoes the upload (UploadNotStoredError says whether all of it was undone).
 */
export function createUploadHandler(deps: UploadHandlerDeps) {
  return async (event: unknown, context: Context): Promise<UploadResult> => {
    try {
      const upload = parseUpload(event);
      const { receipt, lines, words, metadata } = upload;
      const checked = deps.versions.check({ receipt, lines, words, ...(metadata && { metadata }) });
      if (checked.problems.length > 0) throw new InvalidUploadError(checked.problems);
      const runId = contentRunId(receipt, checked.version);
      if (upload.runId !== undefined && upload.runId !== runId) {
        throw new InvalidUploadError([
          `run_id: ${upload.runId} is not the run of this content (${runId}); the run id is derived from the content, leave it out`,
        ]);
      }
      const deadlineAt = deadlineFrom(context, deps.clock, deps.inlineReserveMs);
      let stored: StoreReceiptVersionResult;
      try {
        stored = await storeReceiptVersion(deps, { version: checked.version, runId, deadlineAt });
      } catch (error) {
        if (error instanceof ReceiptVersionRefusedError) throw new InvalidUploadError(error.problems);
        throw error;
      }
      const { run, outcome, removed, decidedLabelsKept } = stored;
      const result = { run, mode: deps.mode, outcome, removed, decidedLabelsKept };
      if (deps.mode === 'event') return result;
      return { ...result, validation: await deps.validate({ run, deadlineAt }) };
    } finally {
      await deps.flush();
    }
  };
}
