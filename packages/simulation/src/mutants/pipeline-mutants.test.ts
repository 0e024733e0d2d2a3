import { describe, expect, it } from 'vitest';
import { INVARIANTS, type Violation } from '../invariants/violation.js';
import { simulate } from '../run/simulate.js';
import { mutantCode, type PipelineMutant } from './mutant-loader.js';
import { CALM, PIPELINE_MUTANTS, STORMY, STORMY_SEED_2 } from './pipeline-mutants.js';

const MUTANTS = Object.entries(PIPELINE_MUTANTS) as [string, PipelineMutant][];
const shows = (mutant: PipelineMutant) => (violation: Violation) =>
  violation.invariant === mutant.caughtBy && mutant.message.test(violation.message);

describe('each invariant catches broken variants of the real code', () => {
  it.each(MUTANTS)('%s is caught by its invariant', async (_, mutant) => {
    const code = await mutantCode(mutant);
    const result = await simulate({ ...mutant.run, code, stopWhen: shows(mutant) });
    expect(result.violations.find(shows(mutant)), mutant.bug).toBeDefined();
  });

  // The violations above come from the mutants: the real code on the same workloads shows none of them.
  it.each([
    ['calm', CALM],
    ['stormy', STORMY],
    ['stormy (seed 2)', STORMY_SEED_2],
  ] as const)('the production code on the %s workload shows none of those violations', async (_, run) => {
    const result = await simulate(run);
    const mutants = MUTANTS.filter(([, mutant]) => mutant.run === run);
    const matched = result.violations.filter((violation) =>
      mutants.some(([, mutant]) => shows(mutant)(violation)),
    );
    expect(matched).toEqual([]);
  });

  it('every invariant but the simulation’s own has a mutant it catches', () => {
    const caught = new Set(MUTANTS.map(([, mutant]) => mutant.caughtBy));
    const invariants = Object.keys(INVARIANTS).filter((name) => name !== 'simulation');
    expect([...caught].sort()).toEqual(invariants.sort());
  });

  it('a mutant whose text is gone from the code fails to load, naming the text', async () => {
    const stale = { ...PIPELINE_MUTANTS.deadlineTimerLeft, edits: [{ find: 'no such code', replace: '' }] };
    await expect(mutantCode(stale)).rejects.toThrow('expected "no such code" exactly once, found it 0 times');
  });
});
