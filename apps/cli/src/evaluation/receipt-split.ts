import { createHash } from 'node:crypto';
import type { SampleReceipt } from '@receipt-gate/core/testing';

/** Two halves of every sample receipt: one to develop rules on, one to score them on. */
export interface ReceiptSplit {
  readonly development: readonly SampleReceipt[];
  readonly heldOut: readonly SampleReceipt[];
}

// Ranks by a hash of the image id, so no one chose which receipts land in which half.
const rankOf = (sample: SampleReceipt) =>
  createHash('sha256').update(`${sample.imageId}#${sample.receiptId}`).digest('hex');

/**
 * Halves all the receipts. The analyzer was written alongside the original ones, so they all belong to the
 * development half; it is filled up to half of all receipts with the newer receipts of lowest hash rank, and
 * the rest of the newer receipts are held out.
 */
export function splitReceipts(
  original: readonly SampleReceipt[],
  newer: readonly SampleReceipt[],
): ReceiptSplit {
  const half = Math.floor((original.length + newer.length) / 2);
  if (original.length > half) {
    throw new RangeError(
      `${original.length} original receipts are more than half of ${original.length + newer.length}`,
    );
  }
  const ranked = [...newer].sort((a, b) => rankOf(a).localeCompare(rankOf(b)));
  const joining = half - original.length;
  return { development: [...original, ...ranked.slice(0, joining)], heldOut: ranked.slice(joining) };
}
