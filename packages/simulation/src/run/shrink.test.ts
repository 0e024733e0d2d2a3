import { describe, expect, it } from 'vitest';
import { mutantCode } from '../mutants/mutant-loader.js';
import { PIPELINE_MUTANTS } from '../mutants/pipeline-mutants.js';
import { shrink } from './shrink.js';
import { simulate } from './simulate.js';

describe('shrink', () => {
  it('shrinks a failing run to fewer receipts and faults that still fail, and replays exactly', async () => {
    const mutant = PIPELINE_MUTANTS.decidedLabelOverwritten;
    const code = await mutantCode(mutant);
    const options = { ...mutant.run, code };
    const failing = await simulate(options);
    expect(failing.violations.some((violation) => violation.invariant === 'decided-labels')).toBe(true);

    const shrunk = await shrink(options, failing, { trials: 30 });
    expect(shrunk.invariant).toBe(failing.violations[0]?.invariant);
    expect(shrunk.result.receipts).toBeLessThan(failing.receipts);
    expect(shrunk.result.faults.length).toBeLessThan(failing.faults.length);
    expect(shrunk.result.violations.some((violation) => violation.invariant === shrunk.invariant)).toBe(true);
    expect(shrunk.result.trace.length).toBeGreaterThan(0);

    const replay = await simulate(shrunk.options);
    expect(replay.traceHash).toBe(shrunk.result.traceHash);
  });

  it('refuses a run without a violation', async () => {
    const clean = await simulate({ receipts: 2, seed: 1, profile: 'none' });
    await expect(shrink({ receipts: 2, seed: 1, profile: 'none' }, clean, { trials: 1 })).rejects.toThrow(
      'shrink: the run has no violation',
    );
  });
});
