import type { MetadataCorrection, ReceiptMetadata } from '../domain/receipt-metadata.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';

export type MetadataUpdateResult =
  | { readonly applied: true; readonly metadata: ReceiptMetadata }
  /** The item changed since it was read (or disappeared): nothing was written. */
  | { readonly applied: false; readonly current: ReceiptMetadata | undefined };

export interface ReceiptMetadataRepository {
  getMetadata(receipt: ReceiptRef): Promise<ReceiptMetadata | undefined>;
  /** Writes the metadata as given (the upload's initial write). */
  saveMetadata(metadata: ReceiptMetadata): Promise<void>;
  /**
   * Applies `changes` only if every field it changes still holds the value in `expected` (optimistic
   * concurrency on what was read); `timestamp` is set to `at`.
   */
  updateMetadata(
    expected: ReceiptMetadata,
    changes: MetadataCorrection,
    at: string,
  ): Promise<MetadataUpdateResult>;
}
