import type { Counts } from '../src/evaluation/evaluate-labels.js';

/** The offline analyzer as of one commit, scored on both halves of the receipts. */
export interface CrossValidationMeasurement {
  /** What the analyzer's rules had been developed on at that point. */
  readonly stage: string;
  /** The commit whose `pnpm eval` prints these figures. */
  readonly commit: string;
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
  heldOut: [],
  measurements: [],
};
