import type { CompactionRunKey } from '../domain/compaction-run.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { ReceiptWordLabel } from '../domain/word-label.js';

export interface SaveLabelsOptions {
  /**
   * Write only if this run is COMPLETED in both collections at write time, checked by the store itself; otherwise
   * write nothing and throw CompactionNotCompletedError.
   */
  readonly requireCompleted?: CompactionRunKey;
}

export interface SaveLabelsResult {
  /** New items. */
  readonly written: readonly ReceiptWordLabel[];
  /** Proposals whose item already existed with an undecided status (NONE, PENDING): left as they are. */
  readonly alreadyPresent: readonly ReceiptWordLabel[];
  /** Proposals whose item was decided by someone else (VALID, INVALID, NEEDS_REVIEW): never touched. */
  readonly frozen: readonly ReceiptWordLabel[];
}

export interface LabelRepository {
  /** Idempotent: an existing item is never changed, so saving the same labels twice leaves the same items. */
  saveLabels(labels: readonly ReceiptWordLabel[], options?: SaveLabelsOptions): Promise<SaveLabelsResult>;
  /** Labels of one receipt, ordered by line, word and label name; strongly consistent. */
  getLabels(receipt: ReceiptRef): Promise<ReceiptWordLabel[]>;
  /**
   * Labels of one word, ordered by label name; strongly consistent. Reads only that word's labels, so a caller
   * handling one label change (the compactor, per stream record) need not read the whole receipt.
   */
  getWordLabels(
    word: ReceiptRef & { readonly lineId: number; readonly wordId: number },
  ): Promise<ReceiptWordLabel[]>;
}
