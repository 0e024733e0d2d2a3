import { describe, expect, it } from 'vitest';
import { fixedHalfEven, fixedHalfUp, plainDecimal, trimDecimal } from './number-format.js';

/** Every k/1000 for k in [0, 100000]: all values of three decimals in [0, 100], ties (k % 10 === 5) included. */
const THOUSANDTHS = Array.from({ length: 100_001 }, (_, k) => k);
/** Every k/2^16 for k in [0, 2^16]: dyadic values whose binary value is exact, ties at 4 decimals included. */
const DYADIC = Array.from({ length: 2 ** 16 + 1 }, (_, k) => k);

// References from integer arithmetic only, independent of how the formatter reads a double.
const halfUpOfThousandths = (k: number) => {
  const hundredths = Math.floor((k + 5) / 10);
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
};
const halfEvenOfDyadic = (k: number) => {
  // k / 2^16 = k * 5^16 / 10^16, rounded half-even to 4 decimals.
  const exact = BigInt(k) * 5n ** 16n;
  const divisor = 10n ** 12n;
  let scaled = exact / divisor;
  const twice = (exact % divisor) * 2n;
  if (twice > divisor || (twice === divisor && scaled % 2n === 1n)) scaled += 1n;
  const digits = scaled.toString().padStart(5, '0');
  return `${digits.slice(0, -4)}.${digits.slice(-4)}`;
};

/** The first inputs a formatter gets wrong against a reference. */
const mismatches = (inputs: number[], format: (k: number) => string, reference: (k: number) => string) =>
  inputs.filter((k) => format(k) !== reference(k)).slice(0, 5);

describe('fixedHalfUp (Python Decimal(str(x)) quantized ROUND_HALF_UP)', () => {
  it('rounds the shortest decimal string, not the binary value', () => {
    expect(fixedHalfUp(0.9400000000000001, 2)).toBe('0.94');
    expect(fixedHalfUp(0.945, 2)).toBe('0.95');
    expect(fixedHalfUp(0.125, 2)).toBe('0.13');
    expect(fixedHalfUp(1, 2)).toBe('1.00');
    expect(fixedHalfUp(0.004, 2)).toBe('0.00');
    expect(fixedHalfUp(-0.125, 2)).toBe('-0.13');
    expect(fixedHalfUp(-0.001, 2)).toBe('0.00');
    expect(fixedHalfUp(1e-7, 20)).toBe('0.00000010000000000000');
    expect(fixedHalfUp(0.1, 20)).toBe('0.10000000000000000000');
    expect(fixedHalfUp(-1.5707963267948966, 18)).toBe('-1.570796326794896600');
    expect(fixedHalfUp(123.456, 0)).toBe('123');
  });

  it('matches integer arithmetic on every value of three decimals in [0, 100]', () => {
    expect(mismatches(THOUSANDTHS, (k) => fixedHalfUp(k / 1000, 2), halfUpOfThousandths)).toEqual([]);
  });

  it('(the check above catches a formatter that rounds the binary value, as toFixed does)', () => {
    expect(mismatches(THOUSANDTHS, (k) => (k / 1000).toFixed(2), halfUpOfThousandths)).not.toEqual([]);
  });
});

describe('fixedHalfEven (Python format(x, ".4f"))', () => {
  it('rounds the exact binary value half to even', () => {
    expect(fixedHalfEven(0.03125, 4)).toBe('0.0312');
    expect(fixedHalfEven(0.09375, 4)).toBe('0.0938');
    expect(fixedHalfEven(0.95, 4)).toBe('0.9500');
    expect(fixedHalfEven(0, 4)).toBe('0.0000');
    expect(fixedHalfEven(1, 4)).toBe('1.0000');
    expect(fixedHalfEven(0.00005, 4)).toBe('0.0001');
  });

  it('matches integer arithmetic on every k / 2^16 in [0, 1]', () => {
    expect(mismatches(DYADIC, (k) => fixedHalfEven(k / 2 ** 16, 4), halfEvenOfDyadic)).toEqual([]);
  });

  it('(the check above catches a formatter that rounds ties up, as toFixed does)', () => {
    expect(mismatches(DYADIC, (k) => (k / 2 ** 16).toFixed(4), halfEvenOfDyadic)).not.toEqual([]);
  });
});

describe('trimDecimal', () => {
  it('drops trailing zeros after the point, and the point when nothing follows', () => {
    expect(['0.9400', '1.00', '0.10000000000000000000', '-0.50', '120', '0.0'].map(trimDecimal)).toEqual([
      '0.94',
      '1',
      '0.1',
      '-0.5',
      '120',
      '0',
    ]);
  });
});

describe('plainDecimal (Python str(float), without an exponent)', () => {
  it('writes the shortest decimal string in plain notation', () => {
    expect(plainDecimal(0.95)).toBe('0.95');
    expect(plainDecimal(0)).toBe('0');
    expect(plainDecimal(1e-7)).toBe('0.0000001');
    expect(plainDecimal(-122.4194)).toBe('-122.4194');
    expect(plainDecimal(1.5e21)).toBe('1500000000000000000000');
  });

  it('refuses what is not a finite number', () => {
    expect(() => plainDecimal(Number.NaN)).toThrow('finite');
    expect(() => fixedHalfUp(Number.POSITIVE_INFINITY, 2)).toThrow('finite');
  });
});
