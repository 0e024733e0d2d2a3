import { describe, expect, it } from 'vitest';
import { compileFilterCriteria, FilterPatternError } from './filter-criteria.js';

const record = (
  eventName: string,
  newImage?: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: {
    ApproximateCreationDateTime: 1_700_000_000,
    Keys: { PK: { S: 'IMAGE#1' }, SK: { S: 'RECEIPT#00001#COMPACTION_RUN#r1' } },
    ...(newImage ? { NewImage: newImage } : {}),
    SizeBytes: 120,
    ...extra,
  },
});

const run = (state: string) =>
  record('MODIFY', { TYPE: { S: 'COMPACTION_RUN' }, lines_state: { S: state }, merged: { N: '12' } });

describe('compileFilterCriteria', () => {
  it('passes every record when there are no filters', () => {
    expect(compileFilterCriteria()(record('REMOVE'))).toBe(true);
    expect(compileFilterCriteria([])(record('INSERT'))).toBe(true);
  });

  it('matches exact values and nested objects, the pattern given as JSON text or as an object', () => {
    const pattern = { eventName: ['MODIFY'], dynamodb: { NewImage: { TYPE: { S: ['COMPACTION_RUN'] } } } };
    for (const filter of [
      compileFilterCriteria([JSON.stringify(pattern)]),
      compileFilterCriteria([pattern]),
    ]) {
      expect(filter(run('COMPLETED'))).toBe(true);
      expect(filter(record('INSERT', { TYPE: { S: 'COMPACTION_RUN' } }))).toBe(false);
      expect(filter(record('MODIFY', { TYPE: { S: 'RECEIPT_WORD_LABEL' } }))).toBe(false);
      expect(filter(record('MODIFY'))).toBe(false);
    }
  });

  it('passes a record that matches any of the filters, and treats values in a list as alternatives', () => {
    const filter = compileFilterCriteria([
      { eventName: ['INSERT'] },
      { dynamodb: { NewImage: { lines_state: { S: ['COMPLETED', 'FAILED'] } } } },
    ]);
    expect(filter(record('INSERT'))).toBe(true);
    expect(filter(run('FAILED'))).toBe(true);
    expect(filter(run('COMPLETED'))).toBe(true);
    expect(filter(run('PENDING'))).toBe(false);
  });

  it('supports prefix, suffix and equals-ignore-case on strings', () => {
    const keys = (pattern: unknown) =>
      compileFilterCriteria([{ dynamodb: { Keys: { SK: { S: [pattern] } } } }]);
    expect(keys({ prefix: 'RECEIPT#' })(run('X'))).toBe(true);
    expect(keys({ prefix: 'IMAGE#' })(run('X'))).toBe(false);
    expect(keys({ suffix: '#r1' })(run('X'))).toBe(true);
    expect(keys({ 'equals-ignore-case': 'receipt#00001#compaction_run#R1' })(run('X'))).toBe(true);
  });

  it('supports anything-but with values or a prefix; a missing field matches neither', () => {
    const state = (pattern: unknown) =>
      compileFilterCriteria([{ dynamodb: { NewImage: { lines_state: { S: [pattern] } } } }]);
    expect(state({ 'anything-but': ['PENDING', 'PROCESSING'] })(run('COMPLETED'))).toBe(true);
    expect(state({ 'anything-but': ['PENDING', 'PROCESSING'] })(run('PENDING'))).toBe(false);
    expect(state({ 'anything-but': 'PENDING' })(run('FAILED'))).toBe(true);
    expect(state({ 'anything-but': { prefix: 'PEN' } })(run('PENDING'))).toBe(false);
    expect(state({ 'anything-but': 'PENDING' })(record('MODIFY', { TYPE: { S: 'X' } }))).toBe(false);
  });

  it('supports exists on leaves only, as AWS does', () => {
    const filter = (exists: boolean) =>
      compileFilterCriteria([{ dynamodb: { NewImage: { lines_error: { S: [{ exists }] } } } }]);
    const failed = record('MODIFY', { lines_error: { S: 'boom' } });
    expect(filter(true)(failed)).toBe(true);
    expect(filter(true)(run('COMPLETED'))).toBe(false);
    expect(filter(false)(run('COMPLETED'))).toBe(true);
    expect(filter(false)(failed)).toBe(false);
    // `lines_error` itself is an object ({"S": ...}), not a leaf: exists true does not match it on AWS either.
    expect(
      compileFilterCriteria([{ dynamodb: { NewImage: { lines_error: [{ exists: true }] } } }])(failed),
    ).toBe(false);
    expect(
      compileFilterCriteria([{ dynamodb: { OldImage: { TYPE: { S: [{ exists: false }] } } } }])(run('X')),
    ).toBe(true);
  });

  it('compares numbers only with JSON numbers, so numeric filters never match a DynamoDB N (a string)', () => {
    const size = (range: unknown[]) =>
      compileFilterCriteria([{ dynamodb: { SizeBytes: [{ numeric: range }] } }]);
    expect(size(['=', 120])(run('X'))).toBe(true);
    expect(size(['>', 100, '<=', 120])(run('X'))).toBe(true);
    expect(size(['>=', 121])(run('X'))).toBe(false);
    expect(compileFilterCriteria([{ dynamodb: { SizeBytes: [120] } }])(run('X'))).toBe(true);
    expect(
      compileFilterCriteria([{ dynamodb: { NewImage: { merged: { N: [{ numeric: ['=', 12] }] } } } }])(
        run('X'),
      ),
    ).toBe(false);
    expect(compileFilterCriteria([{ dynamodb: { NewImage: { merged: { N: ['12'] } } } }])(run('X'))).toBe(
      true,
    );
  });

  it('matches an element of a list value', () => {
    const tagged = record('INSERT', { tags: { SS: ['a', 'b'] } });
    expect(compileFilterCriteria([{ dynamodb: { NewImage: { tags: { SS: ['b'] } } } }])(tagged)).toBe(true);
    expect(compileFilterCriteria([{ dynamodb: { NewImage: { tags: { SS: ['c'] } } } }])(tagged)).toBe(false);
  });

  it('matches null exactly, and tells a missing field from a null one', () => {
    const filter = compileFilterCriteria([{ dynamodb: { NewImage: { note: [null] } } }]);
    expect(filter(record('INSERT', { note: null }))).toBe(true);
    expect(filter(record('INSERT', {}))).toBe(false);
  });

  it('matches attributes named like Object.prototype members as plain fields, and never their inherited values', () => {
    // JSON.parse keeps "__proto__" as an own key, as Lambda's runtime does when it parses the event.
    const hostile = JSON.parse(
      '{"eventName":"INSERT","dynamodb":{"NewImage":{"__proto__":{"M":{"constructor":{"S":"x"}}},"prototype":{"S":"p"}}}}',
    );
    const proto = compileFilterCriteria([
      '{"dynamodb":{"NewImage":{"__proto__":{"M":{"constructor":{"S":["x"]}}}}}}',
    ]);
    expect(proto(hostile)).toBe(true);
    expect(proto(record('INSERT', {}))).toBe(false);
    expect(compileFilterCriteria([{ dynamodb: { NewImage: { prototype: { S: ['p'] } } } }])(hostile)).toBe(
      true,
    );
    // An image without such attributes does not match through what every object inherits.
    const inherited = compileFilterCriteria([
      { dynamodb: { NewImage: { constructor: [{ exists: true }] } } },
    ]);
    expect(inherited(record('INSERT', {}))).toBe(false);
    expect(
      compileFilterCriteria([{ dynamodb: { NewImage: { toString: [{ exists: false }] } } }])(run('X')),
    ).toBe(true);
    expect(({} as Record<string, unknown>).M).toBeUndefined();
  });

  it.each([
    [['{"eventName": ["INSERT"]'], /filter 0: not valid JSON/],
    [['["INSERT"]'], /filter 0: a pattern must be a JSON object/],
    [[{}], /filter 0: pattern: empty objects are not allowed/],
    [[{ eventName: 'INSERT' }], /filter 0: eventName: must be an array of matchers or a nested object/],
    [[{ eventName: [] }], /filter 0: eventName: empty arrays are not allowed/],
    [
      [{ eventName: ['INSERT'] }, { dynamodb: { Keys: { PK: { S: [{ wildcard: 'IMAGE#*' }] } } } }],
      /filter 1: dynamodb.Keys.PK.S: operator "wildcard" is not supported/,
    ],
    [[{ eventName: [{ prefix: 1 }] }], /"prefix" takes a string/],
    [[{ eventName: [{ prefix: 'A', suffix: 'B' }] }], /neither a value nor a one-key operator/],
    [[{ dynamodb: { SizeBytes: [{ numeric: ['>'] }] } }], /"numeric" takes/],
    [[{ dynamodb: { SizeBytes: [{ numeric: ['~', 1] }] } }], /bad numeric comparison/],
    [[{ dynamodb: { SizeBytes: [{ numeric: ['constructor', 1] }] } }], /bad numeric comparison/],
    [['{"dynamodb": {"SizeBytes": [{"numeric": ["__proto__", 1]}]}}'], /bad numeric comparison/],
    [[{ dynamodb: { SizeBytes: [{ numeric: ['toString', 1] }] } }], /bad numeric comparison/],
    [[{ eventName: [{ 'anything-but': [] }] }], /"anything-but" takes/],
    [[{ eventName: [{ exists: 'yes' }] }], /"exists" takes true or false/],
    [[{ $or: [{ eventName: ['INSERT'] }] }], /"\$or" is not supported/],
    [Array.from({ length: 6 }, () => ({ eventName: ['INSERT'] })), /at most 5 filters are allowed, got 6/],
  ])('refuses a malformed pattern with a clear error: %j', (patterns, message) => {
    expect(() => compileFilterCriteria(patterns)).toThrow(FilterPatternError);
    expect(() => compileFilterCriteria(patterns)).toThrow(message);
  });
});
