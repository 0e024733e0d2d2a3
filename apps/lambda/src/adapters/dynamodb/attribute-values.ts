import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidValueError } from '@receipt-gate/core';
import { MAX_NESTING_LEVELS } from './item-limits.js';

/** A DynamoDB item in the low-level wire format. */
export type Item = Record<string, AttributeValue>;

export const NULL: AttributeValue = { NULL: true };

export function s(value: string): AttributeValue {
  return { S: value };
}

export function n(value: number): AttributeValue {
  return { N: String(value) };
}

export function bool(value: boolean): AttributeValue {
  return { BOOL: value };
}

export function m(entries: Record<string, AttributeValue>): AttributeValue {
  return { M: entries };
}

/** An optional string: S when it has a value, NULL when absent or "" (the existing services never store ""). */
export function optionalS(value: string | undefined): AttributeValue {
  return value === undefined || value === '' ? NULL : { S: value };
}

/** A string set, or undefined when empty: DynamoDB cannot store an empty set, so the attribute is left out. */
export function stringSet(values: readonly string[]): AttributeValue | undefined {
  return values.length === 0 ? undefined : { SS: [...new Set(values)] };
}

/**
 * Any JSON-like value (maps from other services, e.g. `extracted_data`), checked on the way in. `level` is the
 * value's nesting level (1 for a top-level attribute): a value nested deeper than DynamoDB stores is refused here,
 * before a hostile depth could exhaust the stack.
 */
export function toAttributeValue(field: string, value: unknown, level = 1): AttributeValue {
  if (value === null) return NULL;
  if (typeof value === 'string') return s(value);
  if (typeof value === 'boolean') return bool(value);
  if (typeof value === 'number' && Number.isFinite(value)) return n(value);
  if (typeof value === 'object' && level >= MAX_NESTING_LEVELS) {
    throw new InvalidValueError(
      field,
      `is nested more than ${MAX_NESTING_LEVELS} levels deep; DynamoDB stores at most ${MAX_NESTING_LEVELS}`,
    );
  }
  if (Array.isArray(value)) {
    // Array.from, not map: a hole of a sparse array is an entry too (undefined, so refused), never skipped.
    return { L: Array.from(value, (entry, i) => toAttributeValue(`${field}[${i}]`, entry, level + 1)) };
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, entry]) => entry !== undefined);
    return m(
      Object.fromEntries(
        entries.map(([key, entry]) => [key, toAttributeValue(`${field}.${key}`, entry, level + 1)]),
      ),
    );
  }
  throw new InvalidValueError(field, `cannot be stored in DynamoDB: ${String(value)}`);
}

/**
 * The plain value of an attribute (NULL as null, N as a number, sets as arrays, absent as undefined), so the
 * core parsers check its type and name the field when it is wrong.
 */
export function fromAttributeValue(value: AttributeValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) {
    return Object.fromEntries(
      Object.entries(value.M).map(([key, entry]) => [key, fromAttributeValue(entry)]),
    );
  }
  if (value.L !== undefined) return value.L.map(fromAttributeValue);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  return value.B ?? value.BS;
}
