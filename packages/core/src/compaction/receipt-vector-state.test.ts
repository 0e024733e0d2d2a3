import { describe, expect, it } from 'vitest';
import { sampleLabel, sampleMetadata } from '../testing/contracts/contract-fixtures.js';
import { compactionWorld, RECEIPT } from './compaction-world.test-support.js';
import { labelVectorFields } from './label-vector-fields.js';
import { metadataVectorFields } from './metadata-vector-fields.js';
import { readReceiptVectorState, sameVectorState, stateFields } from './receipt-vector-state.js';
import { lineVectorId, wordVectorId } from './vector-ids.js';

const tax = sampleLabel(RECEIPT, 1, 1, 'TAX', { validationStatus: 'VALID' });
const tip = sampleLabel(RECEIPT, 1, 1, 'TIP', { validationStatus: 'INVALID' });
const date = sampleLabel(RECEIPT, 2, 1, 'DATE', { validationStatus: 'PENDING' });

function world(labels = [tax, tip, date]) {
  const stores = compactionWorld();
  stores.merchantRecords.put(sampleMetadata(RECEIPT));
  for (const label of labels) stores.labels.put(label);
  return stores;
}

describe('the fields a receipt state gives its vectors', () => {
  it("gives a word its own labels' fields, a word without labels those of none, a line the merchant's alone", async () => {
    const state = await readReceiptVectorState(world(), RECEIPT);
    const merchant = metadataVectorFields(sampleMetadata(RECEIPT));
    expect(stateFields(state, wordVectorId(tax), true)).toEqual({
      ...merchant,
      ...labelVectorFields([tax, tip]),
    });
    const unlabelled = wordVectorId({ ...RECEIPT, lineId: 1, wordId: 2 });
    expect(stateFields(state, unlabelled, true)).toEqual({ ...merchant, ...labelVectorFields([]) });
    expect(stateFields(state, lineVectorId({ ...RECEIPT, lineId: 1 }), false)).toEqual(merchant);
  });

  it('reads only the parts asked for', async () => {
    const labelsOnly = await readReceiptVectorState(world(), RECEIPT, new Set(['labels']));
    expect(stateFields(labelsOnly, wordVectorId(date), true)).toEqual(labelVectorFields([date]));
    const merchantOnly = await readReceiptVectorState(world(), RECEIPT, new Set(['merchant']));
    expect(stateFields(merchantOnly, wordVectorId(date), true)).toEqual(
      metadataVectorFields(sampleMetadata(RECEIPT)),
    );
  });
});

describe('sameVectorState', () => {
  it('does not depend on the order the labels were read in', async () => {
    const one = await readReceiptVectorState(world([tax, tip, date]), RECEIPT);
    const other = await readReceiptVectorState(world([date, tip, tax]), RECEIPT);
    expect(sameVectorState(one, other)).toBe(true);
  });

  it('compares the words whatever the order of their entries', () => {
    const fields = (name: 'TAX' | 'TIP' | 'DATE') => labelVectorFields([{ ...tax, label: name }]);
    const entries = [
      [wordVectorId({ ...RECEIPT, lineId: 1, wordId: 1 }), fields('TAX')],
      [wordVectorId({ ...RECEIPT, lineId: 1, wordId: 2 }), fields('TIP')],
      [wordVectorId({ ...RECEIPT, lineId: 2, wordId: 1 }), fields('DATE')],
    ] as const;
    const orders = [
      [0, 1, 2],
      [2, 0, 1],
      [1, 2, 0],
      [2, 1, 0],
    ];
    const states = orders.map((order) => ({
      labels: new Map(order.map((i) => entries[i] as (typeof entries)[number])),
    }));
    for (const state of states) expect(sameVectorState(states[0] ?? state, state)).toBe(true);
  });

  it('tells a changed label or merchant record apart', async () => {
    const one = await readReceiptVectorState(world(), RECEIPT);
    const decided = await readReceiptVectorState(
      world([tax, tip, { ...date, validationStatus: 'VALID' }]),
      RECEIPT,
    );
    expect(sameVectorState(one, decided)).toBe(false);
    const moved = world();
    moved.merchantRecords.put({ ...sampleMetadata(RECEIPT), merchantName: 'ELSEWHERE' });
    expect(sameVectorState(one, await readReceiptVectorState(moved, RECEIPT))).toBe(false);
  });
});
