import type { CompactionRunKey } from '../domain/compaction-run.js';

/** A guarded write found the run not COMPLETED in both collections at write time; nothing was written. */
export class CompactionNotCompletedError extends Error {
  override readonly name = 'CompactionNotCompletedError';

  constructor(readonly run: CompactionRunKey) {
    super(
      `compaction run ${run.runId} of ${run.imageId}/${run.receiptId} is not COMPLETED in both collections; nothing was written`,
    );
  }
}
