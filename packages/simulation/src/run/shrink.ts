import type { InvariantName, Violation } from '../invariants/violation.js';
import { type SimulationOptions, type SimulationResult, simulate } from './simulate.js';

/** How far back from a violation receipts are looked for that could have taken part in it. */
const NEIGHBOURHOOD_MS = 30 * 60_000;

export interface ShrinkBudget {
  /** Most simulations to run while shrinking. */
  readonly trials: number;
}

export interface ShrinkResult {
  /** The smallest failing run found: `only` (receipts) and `filter` (faults left out) set. */
  readonly options: SimulationOptions;
  /** Its result, with the trace kept. */
  readonly result: SimulationResult;
  readonly invariant: InvariantName;
  readonly trials: number;
}

/**
 * Shrinks a failing run to fewer receipts and fewer faults that still break the same invariant: first the receipt
 * the violation names alone, else delta debugging over the receipts that arrived before it; then whole fault kinds
 * left out; then single faults. Every candidate is a full deterministic run (each receipt keeps its own plan and
 * draws), stopped at its first violation. The last run keeps its trace.
 */
export async function shrink(
  options: SimulationOptions,
  failing: SimulationResult,
  budget: ShrinkBudget,
): Promise<ShrinkResult> {
  const first = failing.violations[0];
  if (!first) throw new RangeError('shrink: the run has no violation');
  const invariant = first.invariant;
  let trials = 0;
  const stopWhen = (violation: Violation) => violation.invariant === invariant;
  let best: SimulationOptions = { ...options, onProgress: undefined, keepTrace: false, stopWhen };
  let bestResult = failing;
  const fails = async (candidate: SimulationOptions): Promise<boolean> => {
    if (trials >= budget.trials) return false;
    trials++;
    const result = await simulate(candidate);
    const failed = result.violations.some((violation) => violation.invariant === invariant);
    if (failed) {
      best = candidate;
      bestResult = result;
    }
    return failed;
  };

  const culprit = first.receipt;
  const mode = failing.plans.find((plan) => plan.index === culprit)?.mode;
  if (culprit === undefined || !(await fails({ ...best, only: new Set([culprit]) }))) {
    // The receipts that could have met the culprit: of its system, arrived within the half hour before the violation.
    const others = failing.plans
      .filter((plan) => plan.index !== culprit && (mode === undefined || plan.mode === mode))
      .filter((plan) => plan.arrivalAt <= first.at && plan.arrivalAt >= first.at - NEIGHBOURHOOD_MS)
      .map((plan) => plan.index);
    const withCulprit = (subset: readonly number[]) =>
      new Set([...subset, ...(culprit === undefined ? [] : [culprit])]);
    await ddmin(others, (subset) => fails({ ...best, only: withCulprit(subset) }));
  }

  const disabled = new Set(best.filter?.disabled ?? []);
  const kinds = [...new Set(bestResult.faults.map((fault) => fault.kind))].sort();
  for (const kind of kinds) {
    if (await fails({ ...best, filter: { disabled: new Set([...disabled, kind]) } })) disabled.add(kind);
  }
  for (const fault of bestResult.faults.slice(0, 40)) {
    if (disabled.has(fault.kind) || disabled.has(fault.id)) continue;
    if (await fails({ ...best, filter: { disabled: new Set([...disabled, fault.id]) } }))
      disabled.add(fault.id);
  }
  const shrunk: SimulationOptions = { ...best, keepTrace: true };
  const result = await simulate(shrunk);
  return { options: shrunk, result, invariant, trials: trials + 1 };
}

/**
 * Delta debugging (Zeller's ddmin) of `items` under `fails`: a smaller list that still fails, tried in halves,
 * quarters and so on, by subsets and then by complements. Returns `items` when nothing smaller fails.
 */
async function ddmin<T>(
  items: readonly T[],
  fails: (subset: readonly T[]) => Promise<boolean>,
): Promise<T[]> {
  let current = [...items];
  if (!(await fails(current))) return current;
  let chunks = 2;
  while (current.length >= 2) {
    const size = Math.ceil(current.length / chunks);
    const parts = Array.from({ length: Math.ceil(current.length / size) }, (_, i) =>
      current.slice(i * size, (i + 1) * size),
    );
    let reduced = false;
    for (const part of parts) {
      if (await fails(part)) {
        current = part;
        chunks = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      for (const part of parts) {
        const complement = current.filter((item) => !part.includes(item));
        if (complement.length > 0 && (await fails(complement))) {
          current = complement;
          chunks = Math.max(chunks - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (chunks >= current.length) break;
      chunks = Math.min(current.length, chunks * 2);
    }
  }
  return current;
}
