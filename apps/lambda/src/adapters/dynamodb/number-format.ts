import { InvalidValueError } from '@receipt-gate/core';

// Numbers as the existing (Python) services write them. Two roundings meet in their format:
// - `Decimal(str(x)).quantize(..., ROUND_HALF_UP)`: half-up (away from zero) on the shortest decimal string of
//   the float, which is what `String(x)` gives in JavaScript too (0.945 -> 0.95, where toFixed(2) gives 0.94,
//   as the double just below 0.945 is what it rounds);
// - `format(x, '.4f')`: half-even on the exact binary value (0.03125 -> 0.0312, where toFixed(4) gives 0.0313).

/** A decimal number as sign, integer digits and fraction digits (no exponent). */
interface Decimal {
  readonly negative: boolean;
  readonly integer: string;
  readonly fraction: string;
}

/**
 * `value` rounded half-up to `places` decimals on its shortest decimal string, written with exactly `places`
 * decimals (Python's `Decimal(str(value)).quantize(Decimal(10) ** -places, ROUND_HALF_UP)`).
 */
export function fixedHalfUp(value: number, places: number): string {
  const { negative, integer, fraction } = shortestDecimal(finite(value));
  const padded = fraction.padEnd(places + 1, '0');
  let scaled = BigInt(integer + padded.slice(0, places));
  // Half-up: whatever follows the first dropped digit, a 5 or more there is at least half.
  if (Number(padded[places]) >= 5) scaled += 1n;
  return format(negative, scaled, places);
}

/**
 * `value` rounded half-even to `places` decimals on its exact binary value, written with exactly `places`
 * decimals (Python's `format(value, f'.{places}f')`).
 */
export function fixedHalfEven(value: number, places: number): string {
  const { negative, digits, decimals } = exactDecimal(finite(value));
  if (decimals <= places) return format(negative, digits * 10n ** BigInt(places - decimals), places);
  const divisor = 10n ** BigInt(decimals - places);
  let scaled = digits / divisor;
  const twice = (digits % divisor) * 2n;
  if (twice > divisor || (twice === divisor && scaled % 2n === 1n)) scaled += 1n;
  return format(negative, scaled, places);
}

/**
 * A decimal string without trailing zeros after the point (`0.9400` -> `0.94`, `1.00` -> `1`): the same value, as
 * DynamoDB itself normalizes a number.
 */
export function trimDecimal(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** The shortest decimal string of `value` (Python's `str(float)`), without an exponent: `1e-7` -> `0.0000001`. */
export function plainDecimal(value: number): string {
  const { negative, integer, fraction } = shortestDecimal(finite(value));
  return `${negative ? '-' : ''}${integer}${fraction === '' ? '' : `.${fraction}`}`;
}

function finite(value: number): number {
  if (!Number.isFinite(value))
    throw new InvalidValueError('number', `expected a finite number, got ${value}`);
  return value;
}

function shortestDecimal(value: number): Decimal {
  // String() of a double is its shortest round-trip decimal, as Python's repr; only the exponent form differs.
  const [mantissa = '0', exponent = '0'] = String(Math.abs(value)).split('e');
  const [whole = '0', part = ''] = mantissa.split('.');
  let digits = whole + part;
  let point = whole.length + Number(exponent);
  if (point <= 0) {
    digits = '0'.repeat(1 - point) + digits;
    point = 1;
  }
  digits = digits.padEnd(point, '0');
  const integer = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  return { negative: value < 0, integer, fraction: digits.slice(point).replace(/0+$/, '') };
}

/** The exact value of a double as `digits / 10^decimals`. */
function exactDecimal(value: number): { negative: boolean; digits: bigint; decimals: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fractionBits = bits & ((1n << 52n) - 1n);
  // value = mantissa * 2^exponent, subnormals included.
  const mantissa = biased === 0 ? fractionBits : fractionBits | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  const negative = value < 0;
  if (exponent >= 0) return { negative, digits: mantissa << BigInt(exponent), decimals: 0 };
  // m / 2^k = m * 5^k / 10^k.
  return { negative, digits: mantissa * 5n ** BigInt(-exponent), decimals: -exponent };
}

function format(negative: boolean, scaled: bigint, places: number): string {
  const digits = scaled.toString().padStart(places + 1, '0');
  const integer = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places);
  // A value that rounds to zero is written 0, never -0.
  const sign = negative && scaled !== 0n ? '-' : '';
  return `${sign}${integer}${places > 0 ? `.${fraction}` : ''}`;
}
