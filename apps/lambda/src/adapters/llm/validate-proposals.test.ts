import { WORD_LABELS } from '@receipt-gate/core';
import { buildReceipt, SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { describe, expect, it } from 'vitest';
import { AMOUNTS_STEP } from './classify-amounts-node.js';
import { CONTEXT_STEP } from './classify-context-node.js';
import { promptLines } from './receipt-prompt.js';
import type { RawProposal } from './reply-schemas.js';
import { addDropCounts, cleanReason, totalDropped, validateProposals } from './validate-proposals.js';

const IMAGE = '3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
// Line 1: MILK 3.49 / line 2: 2 @ 1.75 / line 3: TOTAL 3.49
const lines = promptLines(
  buildReceipt({ imageId: IMAGE, receiptId: 1, lines: ['MILK   3.49', '2 @ 1.75', 'TOTAL  3.49'] }).words,
);
const raw = (line_id: number, word_id: number, label: string, reason?: string): RawProposal => ({
  line_id,
  word_id,
  label,
  ...(reason !== undefined && { reason }),
});

describe('validateProposals', () => {
  const amounts = { step: 'amount_labels', lines, labels: AMOUNTS_STEP.labels };

  it('keeps a proposal for a word of the receipt, with an allowed label, whose text reads as an amount', () => {
    const { proposals, dropped } = validateProposals(
      [raw(1, 2, 'LINE_TOTAL', 'price of milk'), raw(3, 2, 'GRAND_TOTAL')],
      amounts,
    );
    expect(proposals).toEqual([
      { lineId: 1, wordId: 2, label: 'LINE_TOTAL', reasoning: 'amount_labels: price of milk' },
      { lineId: 3, wordId: 2, label: 'GRAND_TOTAL', reasoning: 'amount_labels: proposed by the model' },
    ]);
    expect(dropped).toEqual({});
  });

  it('drops and counts, by reason, everything else', () => {
    const { proposals, dropped } = validateProposals(
      [
        raw(0, 1, 'TAX'),
        raw(1, 0, 'TAX'),
        raw(-1, 2, 'TAX'),
        raw(1.5, 2, 'TAX'),
        raw(4, 1, 'GRAND_TOTAL'),
        raw(1, 3, 'GRAND_TOTAL'),
        raw(99_999, 1, 'GRAND_TOTAL'),
        raw(1, 2, 'API_KEY'),
        raw(1, 2, 'grand_total'),
        raw(1, 1, 'MERCHANT_NAME'),
        raw(1, 1, 'TAX'),
        raw(3, 1, 'GRAND_TOTAL'),
      ],
      amounts,
    );
    expect(proposals).toEqual([]);
    expect(dropped).toEqual({
      invalid_id: 4,
      unknown_word: 3,
      unknown_label: 2,
      label_not_allowed: 1,
      not_an_amount: 2,
    });
    expect(totalDropped(dropped)).toBe(12);
  });

  it('takes an amount OCR split in two, or ran a caption into, as an amount', () => {
    const split = promptLines(
      buildReceipt({
        imageId: IMAGE,
        receiptId: 1,
        lines: [
          ['CHICKEN', '8', '.99'],
          ['Total:', '$', '116.34'],
          ['TOTAL:$81.47', '7'],
        ],
      }).words,
    );
    const { proposals, dropped } = validateProposals(
      [
        raw(1, 2, 'LINE_TOTAL'),
        raw(1, 3, 'LINE_TOTAL'),
        raw(2, 2, 'GRAND_TOTAL'),
        raw(3, 1, 'GRAND_TOTAL'),
        raw(3, 2, 'TAX'),
        raw(2, 1, 'GRAND_TOTAL'),
      ],
      { ...amounts, lines: split },
    );
    expect(proposals).toHaveLength(4);
    expect(dropped).toEqual({ not_an_amount: 2 });
  });

  it('asks quantities and unit prices for a digit only (they are printed with units and signs)', () => {
    const items = {
      step: 'line_item_labels',
      lines,
      labels: ['PRODUCT_NAME', 'QUANTITY', 'UNIT_PRICE'] as const,
    };
    const { proposals, dropped } = validateProposals(
      [raw(2, 1, 'QUANTITY'), raw(2, 3, 'UNIT_PRICE'), raw(2, 2, 'UNIT_PRICE'), raw(1, 1, 'PRODUCT_NAME')],
      items,
    );
    expect(proposals.map((p) => `${p.lineId}.${p.wordId}:${p.label}`)).toEqual([
      '2.1:QUANTITY',
      '2.3:UNIT_PRICE',
      '1.1:PRODUCT_NAME',
    ]);
    expect(dropped).toEqual({ not_a_number: 1 });
  });

  it('keeps only words among the lines the step was shown', () => {
    const shown = { step: 'line_item_labels', lines: lines.slice(0, 1), labels: ['PRODUCT_NAME'] as const };
    expect(validateProposals([raw(3, 1, 'PRODUCT_NAME')], shown).dropped).toEqual({ unknown_word: 1 });
  });

  it('keeps every ground-truth label of every sample receipt (no honest proposal is lost)', () => {
    const itemLabels = ['PRODUCT_NAME', 'QUANTITY', 'UNIT_PRICE'] as const;
    const steps = [AMOUNTS_STEP.labels, CONTEXT_STEP.labels, itemLabels];
    // Between them, the steps propose the whole vocabulary, each label from one step.
    expect(steps.flat().sort()).toEqual([...WORD_LABELS].sort());
    for (const sample of SAMPLE_RECEIPTS) {
      const sampleLines = promptLines(sample.words);
      for (const labels of steps) {
        const truth = sample.groundTruth.filter((l) => (labels as readonly string[]).includes(l.label));
        const { proposals, dropped } = validateProposals(
          truth.map((l) => raw(l.lineId, l.wordId, l.label)),
          { step: 'truth', lines: sampleLines, labels },
        );
        expect({ sample: sample.name, dropped }).toEqual({ sample: sample.name, dropped: {} });
        expect(proposals).toHaveLength(truth.length);
      }
    }
  });

  it('cleans the model reason stored as reasoning: one line, no control characters, bounded', () => {
    expect(cleanReason('  the\ttotal\n\u0007due  ')).toBe('the total due');
    expect(cleanReason('x'.repeat(1_000))).toHaveLength(201);
    expect(cleanReason(undefined)).toBe('');
  });

  it('adds drop counts by reason', () => {
    expect(addDropCounts({ unknown_word: 1 }, { unknown_word: 2, invalid_id: 1 })).toEqual({
      unknown_word: 3,
      invalid_id: 1,
    });
  });
});
