import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { InvalidValueError } from '@receipt-gate/core';
import type { Item } from './attribute-values.js';

// DynamoDB's own limits, checked before a write so that a value it would refuse midway is refused up front, with
// the field named (DynamoDB's ValidationException names none). Measured as DynamoDB measures, and checked against
// DynamoDB Local: an item of exactly 400 KB is stored, one byte more is refused; so is a 33rd level of nesting.

/** 400 KB: names and values of every attribute, as `itemSize` counts them. */
export const MAX_ITEM_BYTES = 400 * 1024;
/**
 * Levels of a value: a top-level attribute is level 1, each list or map puts its elements one level deeper (so no
 * list or map on level 32).
 */
export const MAX_NESTING_LEVELS = 32;
export const MAX_SIGNIFICANT_DIGITS = 38;
/** A number other than 0 has a magnitude in [1e-130, 1e126). */
export const MIN_NUMBER_EXPONENT = -130;
export const MAX_NUMBER_EXPONENT = 125;
/**
 * Attribute names and map keys: DynamoDB documents 64 KB, DynamoDB Local fails beyond 50,000 bytes (an internal
 * failure, not a validation error); the stricter bound holds for both.
 */
export const MAX_NAME_BYTES = 50_000;
/** Partition keys (of the table and of every index) up to 2048 bytes, sort keys up to 1024. */
export const MAX_PARTITION_KEY_BYTES = 2048;
export const MAX_SORT_KEY_BYTES = 1024;

interface KeyRole {
  readonly index: string;
  readonly part: 'partition' | 'sort';
}

/** The key attributes of the shared table and of its indexes (`table-schema.ts`). */
const KEY_ROLES: Readonly<Record<string, KeyRole>> = {
  PK: { index: 'the table', part: 'partition' },
  SK: { index: 'the table', part: 'sort' },
  GSI1PK: { index: 'GSI1', part: 'partition' },
  GSI1SK: { index: 'GSI1', part: 'sort' },
  GSI2PK: { index: 'GSI2', part: 'partition' },
  GSI2SK: { index: 'GSI2', part: 'sort' },
  GSI3PK: { index: 'GSI3', part: 'partition' },
  GSI3SK: { index: 'GSI3', part: 'sort' },
  GSI4PK: { index: 'GSI4', part: 'partition' },
  GSI4SK: { index: 'GSI4', part: 'sort' },
  TYPE: { index: 'GSITYPE', part: 'partition' },
};

const utf8 = new TextEncoder();
const bytes = (text: string) => utf8.encode(text).length;
// In a `u` regular expression a surrogate pair is one code point, so this matches only a lone surrogate. DynamoDB
// keeps one, but it has no UTF-8 form: the snapshots (Arrow strings) and the existing Python services cannot.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** What is wrong with a number for DynamoDB, or undefined; and its size as DynamoDB counts it. */
export function numberProblem(text: string): string | undefined {
  const parsed = parseDecimal(text);
  if (!parsed) return `"${text}" is not a number`;
  if (parsed.digits === 0) return undefined;
  if (parsed.digits > MAX_SIGNIFICANT_DIGITS) {
    return `${text} has ${parsed.digits} significant digits; DynamoDB stores at most ${MAX_SIGNIFICANT_DIGITS}`;
  }
  if (parsed.exponent > MAX_NUMBER_EXPONENT) {
    return `${text} is too large: DynamoDB stores magnitudes below 1e${MAX_NUMBER_EXPONENT + 1}`;
  }
  if (parsed.exponent < MIN_NUMBER_EXPONENT) {
    return `${text} is too small: DynamoDB stores 0 or magnitudes of at least 1e${MIN_NUMBER_EXPONENT}`;
  }
  return undefined;
}

/** Significant digits, and the decimal exponent of the first of them (0 digits: the number is zero). */
function parseDecimal(text: string): { digits: number; exponent: number } | undefined {
  const match = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || `${match[1] ?? ''}${match[2] ?? ''}` === '') return undefined;
  const whole = match[1] ?? '';
  const all = whole + (match[2] ?? '');
  const first = all.search(/[1-9]/);
  if (first < 0) return { digits: 0, exponent: 0 };
  const last = all.length - 1 - [...all].reverse().join('').search(/[1-9]/);
  return { digits: last - first + 1, exponent: whole.length - 1 - first + Number(match[3] ?? 0) };
}

/** The size DynamoDB counts for a value (its name excluded). */
export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return bytes(value.S);
  if (value.N !== undefined) return Math.ceil((parseDecimal(value.N)?.digits ?? 0) / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, entry) => sum + bytes(entry), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, entry) => sum + valueSize({ N: entry }), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, entry) => sum + entry.length, 0);
  // A list or a map: 3 bytes, and 1 more per element (a map element also counts its key).
  if (value.L !== undefined) return value.L.reduce((sum, entry) => sum + 1 + valueSize(entry), 3);
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce((sum, [key, entry]) => sum + 1 + bytes(key) + valueSize(entry), 3);
  }
  return 0;
}

/** The size of an item as DynamoDB counts it against its 400 KB: every attribute's name and value. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + bytes(name) + valueSize(value), 0);
}

/**
 * Everything about `item` DynamoDB would refuse, each an InvalidValueError whose field is `{entity}.{attribute
 * path}`: numbers out of range or too precise, empty or too long attribute names and map keys, nesting beyond 32 levels, a key of the table or an index that is empty
 * or too long (named by the field it is made of, from `keySources`), and an item over 400 KB (named by its largest
 * attribute). Also strings that are not valid Unicode (a lone surrogate), which the pipeline's UTF-8 stores cannot
 * hold.
 */
export function itemLimitProblems(
  entity: string,
  item: Item,
  keySources: Readonly<Record<string, string>> = {},
): InvalidValueError[] {
  const problems: InvalidValueError[] = [];
  const fail = (path: string, message: string) => problems.push(new InvalidValueError(path, message));
  const visit = (path: string, value: AttributeValue, level: number) => {
    // A list or map puts its elements a level deeper, so one is refused on the last level even when empty.
    if (level > MAX_NESTING_LEVELS || (level === MAX_NESTING_LEVELS && (value.L || value.M))) {
      fail(path, `is nested too deep; DynamoDB stores at most ${MAX_NESTING_LEVELS} levels`);
      return;
    }
    const strings = value.S !== undefined ? [value.S] : (value.SS ?? []);
    if (strings.some((text) => LONE_SURROGATE.test(text))) {
      fail(path, 'holds a lone UTF-16 surrogate, which has no UTF-8 form');
    }
    for (const number of value.N !== undefined ? [value.N] : (value.NS ?? [])) {
      const problem = numberProblem(number);
      if (problem) fail(path, problem);
    }
    value.L?.forEach((entry, i) => {
      visit(`${path}[${i}]`, entry, level + 1);
    });
    for (const [key, entry] of Object.entries(value.M ?? {})) {
      if (key === '') fail(path, 'has an empty key; DynamoDB refuses empty attribute names');
      else if (LONE_SURROGATE.test(key)) fail(path, 'has a key with a lone UTF-16 surrogate');
      else if (bytes(key) > MAX_NAME_BYTES) {
        fail(path, `has a key of ${bytes(key)} bytes; DynamoDB takes names of at most ${MAX_NAME_BYTES}`);
        continue;
      }
      visit(`${path}.${key}`, entry, level + 1);
    }
  };
  for (const [name, value] of Object.entries(item)) {
    if (name === '') fail(entity, 'has an empty attribute name');
    if (bytes(name) > MAX_NAME_BYTES) {
      fail(
        entity,
        `has an attribute name of ${bytes(name)} bytes; DynamoDB takes names of at most ${MAX_NAME_BYTES}`,
      );
      continue;
    }
    visit(`${entity}.${name}`, value, 1);
    const role = KEY_ROLES[name];
    if (role) checkKey(entity, name, value, role, keySources[name], fail);
  }
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) {
    const [largest] = Object.entries(item).sort(([, a], [, b]) => valueSize(b) - valueSize(a));
    fail(
      `${entity}.${largest?.[0] ?? ''}`,
      `makes the item ${size} bytes; DynamoDB stores items of at most ${MAX_ITEM_BYTES} (400 KB)`,
    );
  }
  return problems;
}

function checkKey(
  entity: string,
  name: string,
  value: AttributeValue,
  role: KeyRole,
  source: string | undefined,
  fail: (path: string, message: string) => void,
) {
  const field = `${entity}.${source ?? name}`;
  const key = source ? `its ${role.part} key ${name} of ${role.index}` : `${role.part} key of ${role.index}`;
  if (value.S === undefined) {
    fail(field, `${key} must be a string`);
    return;
  }
  const limit = role.part === 'partition' ? MAX_PARTITION_KEY_BYTES : MAX_SORT_KEY_BYTES;
  const length = bytes(value.S);
  if (length === 0) fail(field, `${key} would be empty; DynamoDB refuses an empty key`);
  else if (length > limit) {
    fail(field, `makes ${key} ${length} bytes long; DynamoDB allows at most ${limit}`);
  }
}
