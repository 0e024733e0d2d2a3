import { describe, expect, it } from 'vitest';
import { simulate } from './simulate.js';

describe('simulate', () => {
  it('gives the same trace for the same seed, line for line', async () => {
    const options = { receipts: 30, seed: 7, profile: 'standard', keepTrace: true } as const;
    const [first, second] = [await simulate(options), await simulate(options)];
    expect(second.traceHash).toBe(first.traceHash);
    expect(second.trace).toEqual(first.trace);
    expect(second.faults).toEqual(first.faults);
    expect(first.traceLength).toBeGreaterThan(1_000);
  });

  it('gives another trace for another seed', async () => {
    const [a, b] = [await simulate({ receipts: 10, seed: 1 }), await simulate({ receipts: 10, seed: 2 })];
    expect(b.traceHash).not.toBe(a.traceHash);
  });

  it('keeps every invariant when nothing goes wrong (no faults, no outside actions)', async () => {
    const result = await simulate({ receipts: 60, seed: 11, profile: 'none' });
    expect(result.violations).toEqual([]);
    expect(result.end).toBe('done');
    expect(result.faults).toEqual([]);
  });

  it('plans each receipt the same whatever else the run holds, so runs can be shrunk', async () => {
    const whole = await simulate({ receipts: 12, seed: 5, profile: 'heavy' });
    const part = await simulate({ receipts: 12, seed: 5, profile: 'heavy', only: new Set([3, 8]) });
    expect(part.plans).toEqual(whole.plans.filter((plan) => plan.index === 3 || plan.index === 8));
    expect(part.receipts).toBe(2);
  });

  it('injects the faults of its profile, and leaves out those it is told to', async () => {
    const all = await simulate({ receipts: 40, seed: 9, profile: 'heavy' });
    const kinds = new Set(all.faults.map((fault) => fault.kind));
    expect(kinds).toContain('crash');
    expect(kinds).toContain('store-transient');
    const without = await simulate({
      receipts: 40,
      seed: 9,
      profile: 'heavy',
      filter: { disabled: new Set(['crash', all.faults[0]?.id ?? '']) },
    });
    expect(without.faults.some((fault) => fault.kind === 'crash')).toBe(false);
    expect(without.faults.some((fault) => fault.id === all.faults[0]?.id)).toBe(false);
  });
});
