import { SAMPLE_RECEIPTS, VARIED_SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { describe, expect, it } from 'vitest';
import { splitReceipts } from './receipt-split.js';

describe('splitReceipts', () => {
  it('puts every original receipt and enough newer ones to make half of all receipts in the development half', () => {
    const { development, heldOut } = splitReceipts(SAMPLE_RECEIPTS, VARIED_SAMPLE_RECEIPTS);
    const all = SAMPLE_RECEIPTS.length + VARIED_SAMPLE_RECEIPTS.length;
    expect(development).toHaveLength(Math.floor(all / 2));
    expect(development.slice(0, SAMPLE_RECEIPTS.length)).toEqual(SAMPLE_RECEIPTS);
    expect(heldOut).toHaveLength(all - development.length);
    expect(heldOut.every((sample) => VARIED_SAMPLE_RECEIPTS.includes(sample))).toBe(true);
    expect(new Set([...development, ...heldOut]).size).toBe(all);
  });

  it('does not depend on the order the newer receipts are listed in', () => {
    const forward = splitReceipts(SAMPLE_RECEIPTS, VARIED_SAMPLE_RECEIPTS);
    const backward = splitReceipts(SAMPLE_RECEIPTS, [...VARIED_SAMPLE_RECEIPTS].reverse());
    const names = (samples: readonly { name: string }[]) => samples.map((s) => s.name).sort();
    expect(names(backward.heldOut)).toEqual(names(forward.heldOut));
  });

  it('refuses more original receipts than half of all', () => {
    expect(() => splitReceipts(VARIED_SAMPLE_RECEIPTS, SAMPLE_RECEIPTS)).toThrow(RangeError);
  });
});
