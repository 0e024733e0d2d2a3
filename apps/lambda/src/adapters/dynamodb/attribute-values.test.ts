import { InvalidValueError } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import { fromAttributeValue, optionalS, stringSet, toAttributeValue } from './attribute-values.js';

describe('attribute values', () => {
  it('stores an absent or empty optional string as NULL, never as ""', () => {
    expect([optionalS(undefined), optionalS(''), optionalS('x')]).toEqual([
      { NULL: true },
      { NULL: true },
      { S: 'x' },
    ]);
  });

  it('has no empty string set: an empty list is no attribute', () => {
    expect(stringSet([])).toBeUndefined();
    expect(stringSet(['name', 'phone', 'name'])).toEqual({ SS: ['name', 'phone'] });
  });

  it('round-trips a JSON-like map with explicit types', () => {
    const value = { type: 'price', value: '4.50', amount: 4.5, ok: true, none: null, list: ['a', 1] };
    const encoded = toAttributeValue('extracted_data', { ...value, dropped: undefined });
    expect(encoded).toEqual({
      M: {
        type: { S: 'price' },
        value: { S: '4.50' },
        amount: { N: '4.5' },
        ok: { BOOL: true },
        none: { NULL: true },
        list: { L: [{ S: 'a' }, { N: '1' }] },
      },
    });
    expect(fromAttributeValue(encoded)).toEqual(value);
  });

  it('refuses a value DynamoDB cannot store, naming the field', () => {
    expect(() => toAttributeValue('extracted_data', { ratio: Number.NaN })).toThrow(InvalidValueError);
    expect(() => toAttributeValue('extracted_data', { ratio: Number.NaN })).toThrow(/extracted_data\.ratio/);
    // A hole of a sparse list is an entry, not skipped (the SDK would send it as null).
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    expect(() => toAttributeValue('hours_data', { periods: [, 1] })).toThrow(/hours_data\.periods\[0\]/);
  });

  it('reads sets as arrays, N as numbers, NULL as null and a missing attribute as undefined', () => {
    expect(fromAttributeValue({ SS: ['a'] })).toEqual(['a']);
    expect(fromAttributeValue({ NS: ['1', '2.5'] })).toEqual([1, 2.5]);
    expect(fromAttributeValue({ N: '0.12345678901234567890' })).toBeCloseTo(0.123456789);
    expect(fromAttributeValue({ NULL: true })).toBeNull();
    expect(fromAttributeValue(undefined)).toBeUndefined();
  });
});
