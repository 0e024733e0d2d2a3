import { InvalidValueError } from '../errors/invalid-value-error.js';

// Version 4 (random) or 5 (name-based) UUIDs, with the RFC 4122 variant, as the existing services write them.
const UUID_V4_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-[45][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Largest number that fits the 5-digit zero padding used inside keys. */
export const MAX_KEY_NUMBER = 99_999;

export function parseUuid(field: string, value: unknown): string {
  if (typeof value !== 'string' || !UUID_V4_V5.test(value)) {
    throw new InvalidValueError(field, `expected a UUID of version 4 or 5, got ${describeValue(value)}`);
  }
  return value.toLowerCase();
}

/** An integer id used inside keys: at least `min`, at most 99999. */
export function parseKeyNumber(field: string, value: unknown, min: 0 | 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_KEY_NUMBER) {
    const range = min === 1 ? 'a positive integer' : 'a non-negative integer';
    throw new InvalidValueError(
      field,
      `expected ${range} of at most ${MAX_KEY_NUMBER}, got ${describeValue(value)}`,
    );
  }
  return value;
}

export function parseNonEmptyString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidValueError(field, `expected a non-empty string, got ${describeValue(value)}`);
  }
  return value;
}

/** An optional string: absent, null and "" all mean "no value" (stored as NULL, never as ""). */
export function parseOptionalString(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new InvalidValueError(field, `expected a string, got ${describeValue(value)}`);
  return value;
}

export function parseOneOf<T extends string>(field: string, allowed: readonly T[], value: unknown): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidValueError(field, `expected one of ${allowed.join(' | ')}, got ${describeValue(value)}`);
  }
  return value as T;
}

/** Zero-pads a number to the 5 digits the key format uses (`RECEIPT#00001`). */
export function pad5(value: number): string {
  return String(value).padStart(5, '0');
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (value === undefined) return 'nothing';
  return typeof value === 'object' ? (value === null ? 'null' : typeof value) : String(value);
}
