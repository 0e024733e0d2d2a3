import { describe, expect, it } from 'vitest';
import { toAttributeValue } from './attribute-values.js';
import { itemLimitProblems, itemSize, MAX_ITEM_BYTES, numberProblem, valueSize } from './item-limits.js';

const key = { PK: { S: 'IMAGE#x' }, SK: { S: 'S' } };
const messages = (item: Parameters<typeof itemLimitProblems>[1], sources = {}) =>
  itemLimitProblems('ENTITY', item, sources).map((problem) => problem.message);

describe('DynamoDB number limits', () => {
  it('accepts 38 significant digits and magnitudes in [1e-130, 1e126), zero and any trailing zeros', () => {
    for (const ok of [
      '0',
      '-0.000',
      '12345678901234567890123456789012345678',
      '9.9999999999999999999999999999999999999e125',
      '1e-130',
      '-1E-130',
      `1${'0'.repeat(100)}`,
      '1.000000000000000000000000000000000000000000',
      '0.00000000000000000000000000000000000000000001',
    ]) {
      expect(numberProblem(ok), ok).toBeUndefined();
    }
  });

  it('refuses more digits, larger or smaller magnitudes, and what is not a number', () => {
    expect(numberProblem('123456789012345678901234567890123456789')).toMatch('39 significant digits');
    expect(numberProblem('1e126')).toMatch('too large');
    expect(numberProblem('-1e+200')).toMatch('too large');
    expect(numberProblem(String(1e200))).toMatch('too large');
    expect(numberProblem('1e-131')).toMatch('too small');
    expect(numberProblem(`0.${'0'.repeat(130)}1`)).toMatch('too small');
    expect(numberProblem('Infinity')).toMatch('not a number');
    expect(numberProblem('.')).toMatch('not a number');
  });
});

describe('DynamoDB item size', () => {
  it('counts names and values as DynamoDB does: UTF-8 strings, digits in pairs, 3 bytes a list or map, 1 an element', () => {
    expect(valueSize({ S: 'é' })).toBe(2);
    expect(valueSize({ N: '7' })).toBe(2);
    expect(valueSize({ N: '12345678901234567890' })).toBe(11);
    expect(valueSize({ N: '1000.000' })).toBe(2);
    expect(valueSize({ BOOL: true })).toBe(1);
    expect(valueSize({ NULL: true })).toBe(1);
    expect(valueSize({ SS: ['ab', 'cd'] })).toBe(4);
    expect(valueSize({ L: [{ S: 'ab' }] })).toBe(3 + 1 + 2);
    expect(valueSize({ M: { k: { S: 'ab' } } })).toBe(3 + 1 + 1 + 2);
    expect(itemSize({ ...key, v: { S: 'abc' } })).toBe(2 + 7 + 2 + 1 + 1 + 3);
  });

  it('refuses an item over 400 KB, naming its largest attribute', () => {
    // 12 bytes of key, 1 of the name v: exactly 400 KB; one more byte (an attribute w holding "") is too many.
    const fits = { ...key, v: { S: 'a'.repeat(MAX_ITEM_BYTES - 13) } };
    expect(messages(fits)).toEqual([]);
    expect(messages({ ...fits, w: { S: '' } })).toEqual([
      `ENTITY.v: makes the item ${MAX_ITEM_BYTES + 1} bytes; DynamoDB stores items of at most 409600 (400 KB)`,
    ]);
    const problems = itemLimitProblems('RECEIPT_WORD', { ...key, text: { S: 'a'.repeat(MAX_ITEM_BYTES) } });
    expect(problems.map((problem) => problem.message)).toEqual([
      `RECEIPT_WORD.text: makes the item ${MAX_ITEM_BYTES + 16} bytes; DynamoDB stores items of at most 409600 (400 KB)`,
    ]);
  });
});

describe('DynamoDB structure and key limits', () => {
  const nested = (levels: number): unknown => (levels === 0 ? 'leaf' : { a: nested(levels - 1) });

  it('refuses nesting beyond 32 levels and empty map keys, naming the path', () => {
    expect(messages({ ...key, v: toAttributeValue('v', nested(31)) })).toEqual([]);
    expect(messages({ ...key, v: { M: { a: { L: [{ M: { '': { S: 'x' } } }] } } } })).toEqual([
      'ENTITY.v.a[0]: has an empty key; DynamoDB refuses empty attribute names',
    ]);
    const deep = JSON.parse(JSON.stringify(toAttributeValue('v', nested(31))));
    let inner = deep;
    for (let i = 0; i < 31; i++) inner = inner.M.a;
    inner.M = {};
    expect(messages({ ...key, v: deep })[0]).toMatch(/ENTITY\.v(\.a){31}: is nested too deep/);
  });

  it('refuses on the way in a JSON value nested too deep, before recursing further', () => {
    expect(() => toAttributeValue('hours_data', nested(10_000))).toThrow(
      /hours_data(\.a){31}: is nested more/,
    );
  });

  it('refuses a lone surrogate in a string or a map key (it has no UTF-8 form) and accepts a pair', () => {
    expect(messages({ ...key, v: { S: 'a\uD800b' } })).toEqual([
      'ENTITY.v: holds a lone UTF-16 surrogate, which has no UTF-8 form',
    ]);
    expect(messages({ ...key, v: { M: { '\uDC00': { S: 'x' } } } })).toHaveLength(1);
    expect(messages({ ...key, v: { S: '🧾' } })).toEqual([]);
  });

  it('refuses keys of the table or an index that are empty or too long, naming the field they are made of', () => {
    const place = { ...key, GSI1PK: { S: `MERCHANT#${'A'.repeat(2040)}` }, GSI3SK: { S: 'x'.repeat(1025) } };
    expect(
      itemLimitProblems('RECEIPT_PLACE', place, { GSI1PK: 'merchant_name', GSI3SK: 'validation_status' }).map(
        (problem) => problem.message,
      ),
    ).toEqual([
      'RECEIPT_PLACE.merchant_name: makes its partition key GSI1PK of GSI1 2049 bytes long; DynamoDB allows at most 2048',
      'RECEIPT_PLACE.validation_status: makes its sort key GSI3SK of GSI3 1025 bytes long; DynamoDB allows at most 1024',
    ]);
    expect(messages({ ...key, GSI2PK: { S: '' } })).toEqual([
      'ENTITY.GSI2PK: partition key of GSI2 would be empty; DynamoDB refuses an empty key',
    ]);
    expect(messages({ ...key, GSI1SK: { S: 'x'.repeat(1024) }, GSI1PK: { S: 'y'.repeat(2048) } })).toEqual(
      [],
    );
  });
});
