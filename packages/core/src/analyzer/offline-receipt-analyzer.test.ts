import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WORD_LABELS, type WordLabelName } from '../domain/label-vocabulary.js';
import { parseReceiptWord } from '../domain/receipt-text.js';
import { assertProperty } from '../fast-check-seeds.test-support.js';
import type { LabelProposal } from '../ports/receipt-analyzer.js';
import { buildReceipt } from '../testing/fixtures/build-receipt.js';
import { PHARMACY_RECEIPT } from '../testing/fixtures/pharmacy-receipt.js';
import { SAMPLE_RECEIPTS } from '../testing/fixtures/sample-receipts.js';
import { VARIED_SAMPLE_RECEIPTS } from '../testing/fixtures/varied/varied-sample-receipts.js';
import { TEST_IMAGE_ID } from './analyzer.test-support.js';
import { OfflineReceiptAnalyzer } from './offline-receipt-analyzer.js';

const analyzer = new OfflineReceiptAnalyzer();
const receipt = { imageId: TEST_IMAGE_ID, receiptId: 1 };
const ALL_SAMPLES = [...SAMPLE_RECEIPTS, ...VARIED_SAMPLE_RECEIPTS];

describe('OfflineReceiptAnalyzer', () => {
  it('names itself as the proposer', async () => {
    const analysis = await analyzer.analyze({ receipt, lines: [], words: [] });
    expect(analyzer.name).toBe('OFFLINE_ANALYZER');
    expect(analysis).toEqual({ analyzer: 'OFFLINE_ANALYZER', proposals: [] });
  });

  it('throws the abort reason when aborted before starting', async () => {
    const controller = new AbortController();
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(
      analyzer.analyze({ receipt, lines: [], words: [] }, { signal: controller.signal }),
    ).rejects.toBe(reason);
  });

  it('never proposes a label for word 0 or line 0, which the existing services cannot store', async () => {
    const built = buildReceipt({
      imageId: TEST_IMAGE_ID,
      receiptId: 1,
      lines: ['SOME STORE', 'TOTAL 5.00 11/29/2026'],
    });
    // Renumber from 0, as some OCR runs do: line 0 and every line's word 0 exist but cannot carry a label.
    const words = built.words.map((w) =>
      parseReceiptWord({ ...w, lineId: w.lineId - 1, wordId: w.wordId - 1 }),
    );
    const analysis = await analyzer.analyze({ receipt, lines: [], words });
    expect(analysis.proposals.some((p) => p.lineId === 0 || p.wordId === 0)).toBe(false);
    expect(analysis.proposals).toContainEqual(
      expect.objectContaining({ lineId: 1, wordId: 1, label: 'GRAND_TOTAL' }),
    );
    expect(analysis.proposals).toContainEqual(
      expect.objectContaining({ lineId: 1, wordId: 2, label: 'DATE' }),
    );
  });

  it('proposes at most one of each label per word, in the vocabulary, with a reason', async () => {
    for (const sample of ALL_SAMPLES) {
      const { proposals } = await analyzer.analyze({
        receipt: sample,
        lines: sample.lines,
        words: sample.words,
      });
      const keys = proposals.map((p) => `${p.lineId}#${p.wordId}#${p.label}`);
      expect(new Set(keys).size).toBe(keys.length);
      for (const proposal of proposals) {
        expect(WORD_LABELS).toContain(proposal.label);
        expect(proposal.reasoning.trim()).not.toBe('');
      }
    }
  });

  it('labels only existing words, each label once, whatever the text', async () => {
    const token = fc.oneof(
      fc.constantFrom(
        'TOTAL',
        'SUBTOTAL',
        'TAX',
        'TIP',
        '$',
        '@',
        '-',
        'x2',
        'VISA',
        'CASH',
        'BACK',
        'CHANGE',
        'ST',
      ),
      fc.constantFrom(
        '12.34',
        '0.50-',
        '(1.00)',
        '11/29/2026',
        '12:34',
        'PM',
        '(555)',
        '123-4567',
        'www.a.com',
      ),
      fc.string({ minLength: 1, maxLength: 8 }).filter((text) => text.trim() === text && !/\s/.test(text)),
    );
    const line = fc.array(token, { minLength: 1, maxLength: 6 });
    await assertProperty(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 12 }), async (lines) => {
        const built = buildReceipt({ imageId: TEST_IMAGE_ID, receiptId: 1, lines });
        const { proposals } = await analyzer.analyze({ receipt, ...built });
        const keys = proposals.map((p) => `${p.lineId}#${p.wordId}#${p.label}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const p of proposals) {
          expect(built.words.some((w) => w.lineId === p.lineId && w.wordId === p.wordId)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('is deterministic and does not depend on the order words arrive in', async () => {
    const shuffled = [...PHARMACY_RECEIPT.words].reverse();
    const input = {
      receipt: PHARMACY_RECEIPT,
      lines: PHARMACY_RECEIPT.lines,
      metadata: PHARMACY_RECEIPT.metadata,
    };
    const a = await analyzer.analyze({ ...input, words: PHARMACY_RECEIPT.words });
    const b = await analyzer.analyze({ ...input, words: shuffled });
    expect(b).toEqual(a);
  });

  it('corrects the wrong metadata of the pharmacy sample and accepts every other sample', async () => {
    for (const sample of ALL_SAMPLES) {
      const { metadata } = await analyzer.analyze({ ...sample, receipt: sample });
      if (sample === PHARMACY_RECEIPT) {
        expect(metadata).toMatchObject({
          matches: false,
          corrections: {
            merchantName: 'CORNERSTONE PHARMACY',
            phoneNumber: '(614) 555-0120',
            address: '415 Elm Street, Suite 2, Columbus, OH 43215',
          },
        });
      } else {
        expect({ sample: sample.name, ...metadata }).toMatchObject({
          sample: sample.name,
          matches: true,
          corrections: {},
        });
      }
    }
  });

  it('reaches precision and recall of at least 0.8 against the hand-written labels of both sets', async () => {
    const counts = new Map<WordLabelName, { tp: number; fp: number; fn: number }>();
    const count = (label: WordLabelName) => {
      const entry = counts.get(label) ?? { tp: 0, fp: 0, fn: 0 };
      counts.set(label, entry);
      return entry;
    };
    const key = (l: Pick<LabelProposal, 'lineId' | 'wordId' | 'label'>) =>
      `${l.lineId}#${l.wordId}#${l.label}`;
    for (const sample of ALL_SAMPLES) {
      const { proposals } = await analyzer.analyze({ ...sample, receipt: sample });
      const truth = new Set(sample.groundTruth.map(key));
      const proposed = new Set(proposals.map(key));
      for (const p of proposals) count(p.label)[truth.has(key(p)) ? 'tp' : 'fp']++;
      for (const t of sample.groundTruth) if (!proposed.has(key(t))) count(t.label).fn++;
    }
    const total = [...counts.values()].reduce(
      (acc, c) => ({ tp: acc.tp + c.tp, fp: acc.fp + c.fp, fn: acc.fn + c.fn }),
      { tp: 0, fp: 0, fn: 0 },
    );
    const ratio = (num: number, den: number) => (den === 0 ? 1 : num / den);
    const rows = [...counts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, c]) => ({
        label,
        ...c,
        precision: ratio(c.tp, c.tp + c.fp).toFixed(3),
        recall: ratio(c.tp, c.tp + c.fn).toFixed(3),
      }));
    const precision = ratio(total.tp, total.tp + total.fp);
    const recall = ratio(total.tp, total.tp + total.fn);
    console.table([
      ...rows,
      { label: 'OVERALL', ...total, precision: precision.toFixed(3), recall: recall.toFixed(3) },
    ]);
    expect(precision).toBeGreaterThanOrEqual(0.8);
    expect(recall).toBeGreaterThanOrEqual(0.8);
  });
});
