import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { pollInterval, resolveGatePolicy, SEED_GATE_POLICY } from './gate-policy.js';

describe('resolveGatePolicy', () => {
  it('fills what is not given from the seed policy', () => {
    expect(resolveGatePolicy()).toEqual(SEED_GATE_POLICY);
    expect(resolveGatePolicy({ pollIntervalMs: 500 })).toEqual({ ...SEED_GATE_POLICY, pollIntervalMs: 500 });
  });

  it.each([
    [{ pollIntervalMs: 0 }, 'GatePolicy.pollIntervalMs: expected a positive number of ms, got 0'],
    [
      { maxWaitMs: Number.POSITIVE_INFINITY },
      'GatePolicy.maxWaitMs: expected a positive number of ms, got Infinity',
    ],
    [{ pollTimeoutMs: Number.NaN }, 'GatePolicy.pollTimeoutMs: expected a positive number of ms, got NaN'],
    [{ notFoundGraceMs: -1 }, 'GatePolicy.notFoundGraceMs: expected >= 0 ms, got -1'],
    [
      { notFoundGraceMs: Number.POSITIVE_INFINITY },
      'GatePolicy.notFoundGraceMs: expected >= 0 ms, got Infinity',
    ],
  ])('refuses %o with a clear error', (policy, message) => {
    expect(() => resolveGatePolicy(policy)).toThrow(InvalidValueError);
    expect(() => resolveGatePolicy(policy)).toThrow(message);
  });

  it('accepts a zero grace period and a cap equal to the first interval', () => {
    expect(resolveGatePolicy({ notFoundGraceMs: 0 }).notFoundGraceMs).toBe(0);
    const backoff = { multiplier: 1, maxIntervalMs: 2_000, jitter: false };
    expect(resolveGatePolicy({ backoff }).backoff).toEqual(backoff);
  });

  it.each([
    [
      { multiplier: 0.5, maxIntervalMs: 8_000, jitter: false },
      'GatePolicy.backoff.multiplier: expected a finite number >= 1, got 0.5',
    ],
    [{ multiplier: Number.NaN, maxIntervalMs: 8_000, jitter: false }, 'GatePolicy.backoff.multiplier'],
    [
      { multiplier: Number.POSITIVE_INFINITY, maxIntervalMs: 8_000, jitter: false },
      'GatePolicy.backoff.multiplier',
    ],
    [
      { multiplier: 2, maxIntervalMs: 1_999, jitter: false },
      'GatePolicy.backoff.maxIntervalMs: expected a finite number of ms >= pollIntervalMs (2000), got 1999',
    ],
    [
      { multiplier: 2, maxIntervalMs: Number.POSITIVE_INFINITY, jitter: false },
      'GatePolicy.backoff.maxIntervalMs',
    ],
    [
      { multiplier: 2, maxIntervalMs: 8_000, jitter: 'yes' as unknown as boolean },
      'GatePolicy.backoff.jitter: expected true or false, got yes',
    ],
  ])('refuses the backoff %o with a clear error', (backoff, message) => {
    expect(() => resolveGatePolicy({ backoff })).toThrow(message);
  });
});

describe('pollInterval', () => {
  const policy = resolveGatePolicy({ backoff: { multiplier: 2, maxIntervalMs: 10_000, jitter: false } });
  const jittered = resolveGatePolicy({ backoff: { multiplier: 2, maxIntervalMs: 10_000, jitter: true } });

  it('is the poll interval without backoff, whatever the attempt', () => {
    expect(pollInterval(SEED_GATE_POLICY, 7, () => 0.9)).toBe(2_000);
  });

  it('grows by the multiplier up to the cap', () => {
    expect([0, 1, 2, 3, 4].map((attempt) => pollInterval(policy, attempt, () => 0.9))).toEqual([
      2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('draws a jittered interval between the poll interval and the capped value', () => {
    expect(pollInterval(jittered, 2, () => 0)).toBe(2_000);
    expect(pollInterval(jittered, 2, () => 0.5)).toBe(5_000);
    expect(pollInterval(jittered, 2, () => 0.75)).toBe(6_500);
    expect(pollInterval(jittered, 5, () => 0.25)).toBe(4_000);
  });

  it('clamps a random source that leaves [0, 1) into it, so the interval never leaves its range', () => {
    expect(pollInterval(jittered, 2, () => 0.999_999)).toBeLessThanOrEqual(8_000);
    expect(pollInterval(jittered, 2, () => 1)).toBeLessThan(8_000);
    expect(pollInterval(jittered, 2, () => 1)).toBeGreaterThan(7_999);
    expect(pollInterval(jittered, 2, () => 5)).toBeLessThan(8_000);
    expect(pollInterval(jittered, 2, () => -1)).toBe(2_000);
    expect(pollInterval(jittered, 2, () => Number.NaN)).toBe(2_000);
  });
});
