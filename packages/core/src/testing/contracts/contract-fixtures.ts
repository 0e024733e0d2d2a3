import { type CompactionRun, type CompactionRunKey, newCompactionRun } from '../../domain/compaction-run.js';
import type { WordLabelName } from '../../domain/label-vocabulary.js';
import { parseReceiptMetadata, type ReceiptMetadata } from '../../domain/receipt-metadata.js';
import type { ReceiptRef } from '../../domain/receipt-ref.js';
import {
  parseReceiptLine,
  parseReceiptWord,
  type ReceiptLine,
  type ReceiptWord,
} from '../../domain/receipt-text.js';
import { toTimestamp } from '../../domain/timestamps.js';
import { parseWordLabel, type ReceiptWordLabel } from '../../domain/word-label.js';

// Sample entities for the contract suites, built through the domain parsers so they are valid by construction.

const BASE_MS = Date.UTC(2026, 10, 29, 12, 0, 0);

/** A timestamp `second` seconds after a fixed instant, in the format we write. */
export function contractTime(second: number): string {
  return toTimestamp(BASE_MS + second * 1000);
}

export function keyOf(run: CompactionRunKey): CompactionRunKey {
  return { imageId: run.imageId, receiptId: run.receiptId, runId: run.runId };
}

export function sampleRun(key: CompactionRunKey): CompactionRun {
  return newCompactionRun({
    ...key,
    linesDeltaPrefix: `deltas/lines/${key.runId}/`,
    wordsDeltaPrefix: `deltas/words/${key.runId}/`,
    createdAt: contractTime(0),
  });
}

export function sampleLabel(
  receipt: ReceiptRef,
  lineId: number,
  wordId: number,
  label: WordLabelName,
  overrides: Partial<ReceiptWordLabel> = {},
): ReceiptWordLabel {
  return parseWordLabel({
    ...receipt,
    lineId,
    wordId,
    label,
    reasoning: `word ${lineId}/${wordId} reads as ${label}`,
    timestampAdded: contractTime(1),
    validationStatus: 'PENDING',
    labelProposedBy: 'contract-analyzer',
    ...overrides,
  });
}

/** Labels of one receipt in the order getLabels promises (line, word, label name), for results in any order. */
export function inLabelOrder(labels: readonly ReceiptWordLabel[]): ReceiptWordLabel[] {
  return [...labels].sort(
    (a, b) =>
      a.lineId - b.lineId || a.wordId - b.wordId || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0),
  );
}

function geometry(lineId: number, wordId: number) {
  const x = 0.05 + wordId * 0.1;
  const y = 0.9 - lineId * 0.03;
  return {
    boundingBox: { x, y, width: 0.09, height: 0.025 },
    topLeft: { x, y: y + 0.025 },
    topRight: { x: x + 0.09, y: y + 0.025 },
    bottomLeft: { x, y },
    bottomRight: { x: x + 0.09, y },
    angleDegrees: 1.5,
    angleRadians: 0.02617993877991494,
    confidence: 0.975,
  };
}

export function sampleLine(receipt: ReceiptRef, lineId: number): ReceiptLine {
  return parseReceiptLine({
    ...receipt,
    lineId,
    text: `line ${lineId}`,
    ...geometry(lineId, 0),
    embeddingStatus: 'SUCCESS',
    isNoise: false,
  });
}

export function sampleWord(receipt: ReceiptRef, lineId: number, wordId: number): ReceiptWord {
  return parseReceiptWord({
    ...receipt,
    lineId,
    wordId,
    text: `w${lineId}.${wordId}`,
    ...geometry(lineId, wordId),
    embeddingStatus: 'PENDING',
    isNoise: wordId === 3,
    extractedData: wordId === 1 ? { type: 'price', value: '4.50' } : undefined,
  });
}

/** Metadata with every field set. */
export function sampleMetadata(receipt: ReceiptRef): ReceiptMetadata {
  return parseReceiptMetadata({
    ...receipt,
    placeId: 'ChIJ-contract-place',
    merchantName: 'Contract Coffee',
    matchedFields: ['name', 'phone', 'address'],
    timestamp: contractTime(0),
    merchantCategory: 'cafe',
    address: '1 Contract Street',
    phoneNumber: '+1 555 0100',
    validatedBy: 'PHONE_LOOKUP',
    reasoning: 'phone number matched',
    canonicalPlaceId: 'ChIJ-contract-canonical',
    canonicalMerchantName: 'Contract Coffee Co',
    canonicalAddress: '1 Contract St',
    canonicalPhoneNumber: '+15550100',
    validationStatus: 'MATCHED',
  });
}
