import { describe, expect, it } from 'vitest';
import { integerProblem, LAMBDA_MAX_MS, MAX_TIMER_MS, msRange, readInteger } from './integer-setting.js';

const RANGE = msRange(100, 60_000);

const read = (raw: string | undefined) => {
  const problems: string[] = [];
  const value = readInteger({ SOME_TIMEOUT_MS: raw }, 'SOME_TIMEOUT_MS', RANGE, problems);
  return { value, problems };
};

describe('readInteger', () => {
  it('reads decimal digits within the range, spaces around them aside', () => {
    expect(read('100')).toEqual({ value: 100, problems: [] });
    expect(read(' 60000\n')).toEqual({ value: 60_000, problems: [] });
    expect(read('0500')).toEqual({ value: 500, problems: [] });
  });

  it('gives undefined for unset and empty, so the caller applies its default', () => {
    expect(read(undefined)).toEqual({ value: undefined, problems: [] });
    expect(read('')).toEqual({ value: undefined, problems: [] });
    expect(read('  ')).toEqual({ value: undefined, problems: [] });
  });

  it('refuses what is not a whole number in range, naming the variable and the range', () => {
    for (const raw of [
      '99',
      '60001',
      '0',
      '3000000000',
      '1e3',
      '1.5',
      '-5',
      '+5',
      '0x10',
      'soon',
      'Infinity',
    ]) {
      const { value, problems } = read(raw);
      expect(value, raw).toBeUndefined();
      expect(problems, raw).toEqual([
        `SOME_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000, got "${raw}"`,
      ]);
    }
  });

  it('quotes only short printable values, so a key pasted into the wrong variable is not printed', () => {
    const key = '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';
    const { problems } = read(key);
    expect(problems).toEqual([
      'SOME_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000, got a value of 51 characters (not shown)',
    ]);
    expect(read('12\u0000').problems[0]).toMatch(/got a value of 3 characters \(not shown\)$/);
  });
});

describe('integerProblem', () => {
  it('checks a value given in code against the same range', () => {
    expect(integerProblem('timeoutMs', undefined, RANGE)).toBeUndefined();
    expect(integerProblem('timeoutMs', 100, RANGE)).toBeUndefined();
    expect(integerProblem('timeoutMs', 99.5, RANGE)).toBe(
      'timeoutMs must be a whole number of milliseconds from 100 to 60000, got 99.5',
    );
    expect(integerProblem('retries', Number.NaN, { min: 0, max: 3 })).toBe(
      'retries must be a whole number from 0 to 3, got NaN',
    );
  });
});

describe('msRange', () => {
  it('refuses a range no timer can honour, and Lambda limits fit', () => {
    expect(() => msRange(0, MAX_TIMER_MS + 1)).toThrow(RangeError);
    expect(() => msRange(10, 5)).toThrow(RangeError);
    expect(msRange(0, LAMBDA_MAX_MS)).toEqual({ min: 0, max: 900_000, unit: 'milliseconds' });
    expect(msRange(0, MAX_TIMER_MS).max).toBe(2_147_483_647);
  });
});
