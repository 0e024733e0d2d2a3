import type {
  AnalyzeOptions,
  LabelProposal,
  ReceiptAnalysisInput,
  ReceiptAnalyzer,
} from '@receipt-gate/core';
import { sampleReceipt } from '@receipt-gate/core/testing';
import { describe, expect, it } from 'vitest';
import { evaluateLabels, scoresOf } from './evaluate-labels.js';

const metadata = { placeId: 'place-1', merchantName: 'Tiny Shop', matchedFields: [] };
const SHOP = sampleReceipt({
  name: 'shop',
  imageId: '0b9f3c2e-5a7d-4e18-9c64-2f1a8d7e3b50',
  receiptId: 1,
  metadata,
  // GT+GT: the same label written twice on one word is one label to find.
  lines: [
    ['TINY SHOP', 'M M'],
    ['TOTAL 5.00', '. GT+GT'],
  ],
});
const CAFE = sampleReceipt({
  name: 'cafe',
  imageId: '0b9f3c2e-5a7d-4e18-9c64-2f1a8d7e3b50',
  receiptId: 2,
  metadata,
  lines: [['11/29/2026', 'DATE']],
});

const label = (lineId: number, wordId: number, name: LabelProposal['label']): LabelProposal => ({
  lineId,
  wordId,
  label: name,
  reasoning: 'scripted',
});

/** Replies with scripted proposals per receipt id, or throws where the script says so; records its calls. */
function scriptedAnalyzer(script: Record<number, readonly LabelProposal[] | Error>): ReceiptAnalyzer & {
  readonly calls: readonly { input: ReceiptAnalysisInput; options: AnalyzeOptions | undefined }[];
} {
  const calls: { input: ReceiptAnalysisInput; options: AnalyzeOptions | undefined }[] = [];
  return {
    name: 'SCRIPTED',
    calls,
    async analyze(input: ReceiptAnalysisInput, options?: AnalyzeOptions) {
      calls.push({ input, options });
      const reply = script[input.receipt.receiptId] ?? [];
      if (reply instanceof Error) throw reply;
      return { analyzer: 'SCRIPTED', proposals: reply };
    },
  };
}

describe('evaluateLabels', () => {
  it('counts each distinct (line, word, label) once, per label, per receipt and overall', async () => {
    const analyzer = scriptedAnalyzer({
      1: [
        label(1, 1, 'MERCHANT_NAME'),
        label(1, 1, 'MERCHANT_NAME'),
        label(2, 2, 'GRAND_TOTAL'),
        // TAX is in no ground truth: a false positive with no support.
        label(2, 1, 'TAX'),
      ],
      2: [],
    });

    const evaluation = await evaluateLabels(analyzer, [SHOP, CAFE]);

    expect(evaluation.analyzer).toBe('SCRIPTED');
    expect(evaluation.labels).toEqual([
      {
        label: 'MERCHANT_NAME',
        truePositives: 1,
        falsePositives: 0,
        falseNegatives: 1,
        support: 2,
        proposed: 1,
        precision: 1,
        recall: 0.5,
        f1: 2 / 3,
      },
      {
        label: 'DATE',
        truePositives: 0,
        falsePositives: 0,
        falseNegatives: 1,
        support: 1,
        proposed: 0,
        precision: undefined,
        recall: 0,
        f1: 0,
      },
      {
        label: 'TAX',
        truePositives: 0,
        falsePositives: 1,
        falseNegatives: 0,
        support: 0,
        proposed: 1,
        precision: 0,
        recall: undefined,
        f1: 0,
      },
      {
        label: 'GRAND_TOTAL',
        truePositives: 1,
        falsePositives: 0,
        falseNegatives: 0,
        support: 1,
        proposed: 1,
        precision: 1,
        recall: 1,
        f1: 1,
      },
    ]);
    expect(evaluation.micro).toEqual({
      truePositives: 2,
      falsePositives: 1,
      falseNegatives: 2,
      support: 4,
      proposed: 3,
      precision: 2 / 3,
      recall: 0.5,
      f1: 4 / 7,
    });
    expect(evaluation.receipts).toEqual([
      expect.objectContaining({
        receipt: 'shop',
        producedBy: 'SCRIPTED',
        truePositives: 2,
        falsePositives: 1,
        falseNegatives: 1,
      }),
      expect.objectContaining({
        receipt: 'cafe',
        truePositives: 0,
        falsePositives: 0,
        falseNegatives: 1,
        precision: undefined,
        recall: 0,
      }),
    ]);
    expect(evaluation.mistakes).toEqual([
      { receipt: 'shop', lineId: 1, wordId: 2, label: 'MERCHANT_NAME', kind: 'missed', text: 'SHOP' },
      { receipt: 'shop', lineId: 2, wordId: 1, label: 'TAX', kind: 'spurious', text: 'TOTAL' },
      { receipt: 'cafe', lineId: 1, wordId: 1, label: 'DATE', kind: 'missed', text: '11/29/2026' },
    ]);
  });

  it('records a failed analysis and counts its ground truth as missed, without listing it', async () => {
    const analyzer = scriptedAnalyzer({
      1: new Error('model timed out'),
      2: [label(1, 1, 'DATE'), label(5, 1, 'TAX')],
    });

    const { receipts, micro, mistakes } = await evaluateLabels(analyzer, [SHOP, CAFE]);

    expect(receipts[0]).toMatchObject({
      receipt: 'shop',
      producedBy: undefined,
      error: 'model timed out',
      falseNegatives: 3,
    });
    expect(receipts[1]).not.toHaveProperty('error');
    expect(micro).toMatchObject({ truePositives: 1, falsePositives: 1, falseNegatives: 3 });
    // Line 5 does not exist: the proposal is wrong, and there is no text to show.
    expect(mistakes).toEqual([
      { receipt: 'cafe', lineId: 5, wordId: 1, label: 'TAX', kind: 'spurious', text: undefined },
    ]);
  });

  it('gives the analyzer the receipt, never its ground truth, and a deadline when asked', async () => {
    const analyzer = scriptedAnalyzer({});

    await evaluateLabels(analyzer, [SHOP], { timeoutMs: 60_000 });

    expect(analyzer.calls).toEqual([
      {
        input: {
          receipt: { imageId: SHOP.imageId, receiptId: 1 },
          lines: SHOP.lines,
          words: SHOP.words,
          metadata: SHOP.metadata,
        },
        options: { signal: expect.any(AbortSignal), deadlineAt: expect.any(Number) },
      },
    ]);
  });

  it('fails a receipt not analysed in time, even when the analyzer ignores its signal', async () => {
    let signal: AbortSignal | undefined;
    const stuck: ReceiptAnalyzer = {
      name: 'STUCK',
      analyze: (_input, options) => {
        signal = options?.signal;
        return new Promise(() => {});
      },
    };

    const { receipts } = await evaluateLabels(stuck, [CAFE], { timeoutMs: 20 });

    expect(receipts[0]).toMatchObject({ error: 'no analysis within 20 ms', falseNegatives: 1 });
    expect(signal?.aborted).toBe(true);
  });

  it('gives the analyzer its deadline, then a grace period to return what it has before failing it', async () => {
    let deadlineAt: number | undefined;
    const late: ReceiptAnalyzer = {
      name: 'LATE',
      analyze: async (_input, options) => {
        deadlineAt = options?.deadlineAt;
        const wait = (options?.deadlineAt ?? Date.now()) - Date.now() + 20;
        await new Promise((resolve) => setTimeout(resolve, wait));
        return { analyzer: 'LATE', proposals: [label(1, 1, 'DATE')] };
      },
    };
    const startedAt = Date.now();

    const { receipts } = await evaluateLabels(late, [CAFE], { timeoutMs: 50, graceMs: 5_000 });

    expect(deadlineAt).toBeGreaterThanOrEqual(startedAt + 50);
    expect(deadlineAt).toBeLessThan(startedAt + 5_000);
    expect(receipts[0]).toMatchObject({ producedBy: 'LATE', truePositives: 1 });
    expect(receipts[0]).not.toHaveProperty('error');
  });
});

describe('scoresOf', () => {
  it('sums the counts of a group of receipts, as one evaluation over them would', async () => {
    const analyzer = scriptedAnalyzer({ 1: [label(1, 1, 'MERCHANT_NAME'), label(2, 1, 'TAX')], 2: [] });
    const together = await evaluateLabels(analyzer, [SHOP, CAFE]);
    const apart = [await evaluateLabels(analyzer, [SHOP]), await evaluateLabels(analyzer, [CAFE])];

    expect(scoresOf(apart.flatMap((e) => e.receipts))).toEqual(together.micro);
    expect(scoresOf([])).toMatchObject({
      support: 0,
      precision: undefined,
      recall: undefined,
      f1: undefined,
    });
  });
});
