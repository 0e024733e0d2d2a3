import { type CompactionRun, type CompactionRunKey, newCompactionRun } from '../../domain/compaction-run.js';
import { type MerchantRecord, parseMerchantRecord } from '../../domain/merchant-record.js';
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
  label: string,
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

// Normalised coordinates for any ids: words in ten columns, lines in 25 rows.
function geometry(lineId: number, wordId: number) {
  const x = 0.05 + (wordId % 10) * 0.09;
  const y = 0.9 - (lineId % 25) * 0.03;
  return {
    boundingBox: { x, y, width: 0.08, height: 0.025 },
    topLeft: { x, y: y + 0.025 },
    topRight: { x: x + 0.08, y: y + 0.025 },
    bottomLeft: { x, y },
    bottomRight: { x: x + 0.08, y },
    angleDegrees: 1.5,
    angleRadians: 0.02617993877991494,
    confidence: 0.97,
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

/** A merchant record with every field set (as a place lookup fills RECEIPT_PLACE). */
export function sampleMetadata(receipt: ReceiptRef): MerchantRecord {
  return parseMerchantRecord({
    ...receipt,
    placeId: 'ChIJ-contract-place',
    merchantName: 'Contract Coffee',
    validationStatus: 'MATCHED',
    confidence: 0.92,
    timestamp: contractTime(0),
    validatedBy: 'PHONE_LOOKUP',
    reasoning: 'phone number matched',
    matchedFields: ['name', 'phone', 'address'],
    merchantCategory: 'cafe',
    merchantTypes: ['cafe', 'food', 'point_of_interest'],
    address: '1 Contract Street',
    shortAddress: '1 Contract St',
    addressComponents: { locality: 'Springfield', postal_code: '12345', country: 'US' },
    phoneNumber: '+1 555 0100',
    phoneIntl: '+1 555-0100',
    website: 'https://contract.example',
    mapsUrl: 'https://maps.google.com/?cid=1',
    businessStatus: 'OPERATIONAL',
    plusCode: '8FVC9G8F+6X',
    placesApiVersion: 'v1',
    latitude: 37.7749,
    longitude: -122.4194,
    viewportNeLat: 37.7762,
    viewportNeLng: -122.4181,
    viewportSwLat: 37.7735,
    viewportSwLng: -122.4207,
    openNow: true,
    hoursSummary: ['Mon: 7 AM - 6 PM', 'Tue: 7 AM - 6 PM'],
    hoursData: { periods: [{ open: { day: 1, hour: 7 }, close: { day: 1, hour: 18 } }], weekday_text: 'Mon' },
    photoReferences: ['photo-1', 'photo-2'],
  });
}

/** The fields a legacy RECEIPT_METADATA item holds, of a record: what a store of that format round-trips. */
export function legacyMetadataFields(record: MerchantRecord): MerchantRecord {
  return parseMerchantRecord({
    imageId: record.imageId,
    receiptId: record.receiptId,
    placeId: record.placeId,
    merchantName: record.merchantName,
    validationStatus: record.validationStatus,
    timestamp: record.timestamp,
    validatedBy: record.validatedBy,
    reasoning: record.reasoning,
    matchedFields: record.matchedFields,
    merchantCategory: record.merchantCategory,
    address: record.address,
    phoneNumber: record.phoneNumber,
  });
}
