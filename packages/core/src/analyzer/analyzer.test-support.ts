import type { WordLabelName } from '../domain/label-vocabulary.js';
import { type MerchantRecord, parseMerchantRecord } from '../domain/merchant-record.js';
import type { ReceiptAnalysis } from '../ports/receipt-analyzer.js';
import { buildReceipt } from '../testing/fixtures/build-receipt.js';
import { OfflineReceiptAnalyzer } from './offline-receipt-analyzer.js';

export const TEST_IMAGE_ID = '0b9f3c2e-5a7d-4e18-9c64-2f1a8d7e3b50';

/** What the analyzer said about a small receipt written as text lines, with helpers to read it by label. */
export interface TextAnalysis {
  readonly analysis: ReceiptAnalysis;
  /** The texts of the words given `label`, in reading order. */
  readonly wordsWith: (label: WordLabelName) => string[];
  /** The label(s) of the word with this exact text (the first such word). */
  readonly labelsOf: (text: string) => WordLabelName[];
}

export async function analyzeText(
  lines: ReadonlyArray<string | readonly string[]>,
  metadata?: MerchantRecord,
): Promise<TextAnalysis> {
  const receipt = buildReceipt({ imageId: TEST_IMAGE_ID, receiptId: 1, lines });
  const analysis = await new OfflineReceiptAnalyzer().analyze({
    receipt: { imageId: TEST_IMAGE_ID, receiptId: 1 },
    ...receipt,
    ...(metadata && { metadata }),
  });
  const textOf = (lineId: number, wordId: number) =>
    receipt.words.find((w) => w.lineId === lineId && w.wordId === wordId)?.text ?? '';
  return {
    analysis,
    wordsWith: (label) =>
      analysis.proposals.filter((p) => p.label === label).map((p) => textOf(p.lineId, p.wordId)),
    labelsOf: (text) => {
      const word = receipt.words.find((w) => w.text === text);
      return analysis.proposals
        .filter((p) => word && p.lineId === word.lineId && p.wordId === word.wordId)
        .map((p) => p.label);
    },
  };
}

export function testMetadata(fields: {
  merchantName: string;
  phoneNumber?: string;
  address?: string;
}): MerchantRecord {
  return parseMerchantRecord({
    imageId: TEST_IMAGE_ID,
    receiptId: 1,
    placeId: 'place-1',
    matchedFields: [],
    timestamp: '2026-11-29T12:00:00.000Z',
    ...fields,
  });
}
