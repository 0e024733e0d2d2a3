import type { ReceiptRef } from '../domain/receipt-ref.js';

/**
 * An upload failed after it had started writing. With `rolledBack`, everything it wrote was removed again and the
 * receipt holds what it held before; without, what it wrote is still there (a retry of the same upload completes it,
 * as its writes are idempotent). Either way no run of it exists, so the pipeline has not seen it.
 */
export class UploadNotStoredError extends Error {
  override readonly name = 'UploadNotStoredError';

  constructor(
    readonly receipt: ReceiptRef,
    readonly rolledBack: boolean,
    options: { cause: unknown },
  ) {
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      rolledBack
        ? `the upload of ${receipt.imageId}/${receipt.receiptId} failed and nothing of it was kept: ${reason}`
        : `the upload of ${receipt.imageId}/${receipt.receiptId} failed and what it wrote could not all be removed; upload it again to complete it: ${reason}`,
      options,
    );
  }
}
