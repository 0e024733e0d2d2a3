import type { CompactionCollection } from '../domain/compaction-state.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';

/**
 * An update found no vector of its receipt in a snapshot: the receipt's delta is not merged yet. Applying it
 * would patch nothing and the update would be lost, so the stream record must be reported failed and retried.
 */
export class ReceiptNotMergedError extends Error {
  override readonly name = 'ReceiptNotMergedError';

  constructor(
    readonly receipt: ReceiptRef,
    /** The collections that had no vector of the receipt. */
    readonly collections: readonly CompactionCollection[],
  ) {
    super(
      `receipt ${receipt.imageId}/${receipt.receiptId} has no vectors in the ${collections.join(' and ')} snapshot${collections.length > 1 ? 's' : ''} yet (its delta is not merged); retry the update later, do not drop it`,
    );
  }
}
