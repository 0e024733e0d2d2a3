import type { Counts } from '../src/evaluation/evaluate-labels.js';

/** The offline analyzer as of one commit, scored on both halves of the receipts. */
export interface CrossValidationMeasurement {
  /** What the analyzer's rules had been developed on at that point. */
  readonly stage: string;
  /** The commit whose `pnpm eval` prints these figures. */
  readonly commit: string;
  /** On each set of receipts, by the set's key. */
  readonly sets: Readonly<Record<string, Counts>>;
  readonly development: Counts;
  readonly heldOut: Counts;
}

export interface CrossValidationRecord {
  /** The held-out half when the measurements were made; the eval checks that the split still gives it. */
  readonly heldOut: readonly string[];
  readonly measurements: readonly CrossValidationMeasurement[];
}

/**
 * Measurements of the offline analyzer on the held-out half, made while its rules were developed by looking at
 * the development half only (see the cross-validation section of docs/benchmarks/labels.md). They cannot be
 * recomputed from the current analyzer, whose later rules were developed on every receipt; each is reproduced by
 * running `pnpm eval` at its commit.
 */
export const CROSS_VALIDATION_RECORD: CrossValidationRecord = {
  heldOut: [
    'wine shop with a case discount: Cellar Door Wines',
    'travel center fuel and store: Prairie Stop',
    'cinema tickets and concessions: Starlight Cinemas',
    'lumber yard with SKU and quantity columns: Tamarack Lumber',
    "pizzeria online order: Nonna Rosa's",
    'pharmacy with Rx lines and savings: Bayview Drug',
    'fuel pump block: Summit Fuel',
    'food truck without an address: La Chispa Tacos',
    'wholesale club with member number: PriceVault Wholesale',
    'long grocery receipt with OCR confusions: FreshWay Foods',
    'electronics store with wrapped names: Voltline Electronics',
    'clothing boutique exchange: Marigold & Vine',
    'hotel bar tab with a room charge: The Alder Hotel',
    'bakery with weighed goods: Golden Crust Bakery',
    'convenience store with cash back: Corner Stop',
    'farmers market with change: Stone Creek Farm',
    "delicatessen with sliced-to-order goods: Bernie's Deli",
  ],
  measurements: [
    {
      stage: 'baseline: the analyzer as written alongside the original receipts, before any change',
      commit: '743114e',
      sets: {
        original: { truePositives: 454, falsePositives: 0, falseNegatives: 4 },
        varied: { truePositives: 960, falsePositives: 49, falseNegatives: 200 },
      },
      development: { truePositives: 698, falsePositives: 29, falseNegatives: 94 },
      heldOut: { truePositives: 716, falsePositives: 20, falseNegatives: 110 },
    },
    {
      stage: 'after round 1, developed by looking at the development half only (the cross-validation figure)',
      commit: 'cca35b9',
      sets: {
        original: { truePositives: 458, falsePositives: 0, falseNegatives: 0 },
        varied: { truePositives: 1131, falsePositives: 4, falseNegatives: 29 },
      },
      development: { truePositives: 792, falsePositives: 0, falseNegatives: 0 },
      heldOut: { truePositives: 797, falsePositives: 4, falseNegatives: 29 },
    },
  ],
};
