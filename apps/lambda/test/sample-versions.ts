import type { ReceiptRef, ReceiptVersion } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';

/** The first sample receipt's first `lines` lines and their words, as a version of `receipt`. */
export function sampleVersion(receipt: ReceiptRef, lines: number): ReceiptVersion {
  const [sample] = SAMPLE_RECEIPTS;
  if (!sample) throw new Error('no sample receipt');
  const kept = sample.lines.slice(0, lines);
  return {
    receipt,
    lines: kept.map((line) => ({ ...line, ...receipt })),
    words: sample.words
      .filter((word) => kept.some((line) => line.lineId === word.lineId))
      .map((word) => ({ ...word, ...receipt })),
  };
}
