import { createHash } from 'node:crypto';
import type { ReceiptRef } from '@receipt-gate/core';

// A fixed namespace for receipt-gate's name-based run ids.
const NAMESPACE = Buffer.from('6f8d5c1e4b2a47f39c0e1d2b3a4f5e6d', 'hex');

/**
 * A UUID v5 derived from the receipt and its OCR content: a retried upload of the same content maps to the same
 * run, so it creates no second compaction.
 */
export function contentRunId(receipt: ReceiptRef, content: unknown): string {
  const hash = createHash('sha1')
    .update(NAMESPACE)
    .update(`${receipt.imageId}/${receipt.receiptId}/`)
    .update(JSON.stringify(content))
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
