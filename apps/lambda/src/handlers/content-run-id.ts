import { createHash } from 'node:crypto';
import { type ReceiptLine, type ReceiptRef, type ReceiptWord, textContentKey } from '@receipt-gate/core';

// A fixed namespace for receipt-gate's name-based run ids.
const NAMESPACE = Buffer.from('6f8d5c1e4b2a47f39c0e1d2b3a4f5e6d', 'hex');

/**
 * A UUID v5 derived from the receipt and its OCR content (its lines and words, as `sameTextContent` compares them:
 * the embedding status and extracted data aside): the same content always maps to the same run, so a retried upload creates no
 * second compaction, and other content to another run. Give it the content as the store holds it
 * (`ReceiptVersionStore.check`), so that digits beyond the stored precision do not make a new run.
 */
export function contentRunId(
  receipt: ReceiptRef,
  content: { readonly lines: readonly ReceiptLine[]; readonly words: readonly ReceiptWord[] },
): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${receipt.imageId}/${receipt.receiptId}/`);
  for (const item of [...content.lines, ...content.words]) hash.update(`${textContentKey(item)}\n`);
  const digest = hash.digest();
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x50;
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
