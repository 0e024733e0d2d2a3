import type { CompactionRunKey } from '../domain/compaction-run.js';

/** A different run already exists under the same key; the existing one is kept. */
export class CompactionRunExistsError extends Error {
  override readonly name = 'CompactionRunExistsError';

  constructor(readonly run: CompactionRunKey) {
    super(`a different compaction run ${run.runId} of ${run.imageId}/${run.receiptId} already exists`);
  }
}
