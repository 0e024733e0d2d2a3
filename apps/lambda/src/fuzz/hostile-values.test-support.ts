import fc from 'fast-check';

// What an attacker or a careless client sends where a field is expected: values of every wrong type, numbers at
// and beyond every boundary (the domain's and DynamoDB's), strings that are huge, invisible, not valid Unicode or
// named like JavaScript internals, structures nested deeper than DynamoDB stores, and objects whose own keys are
// `__proto__` or `constructor` (as JSON.parse makes them).

/** An object with `__proto__` and `constructor` as own keys, as parsed from JSON (never a prototype change). */
export function protoKeyed(inner: unknown): Record<string, unknown> {
  return JSON.parse(
    `{"__proto__": ${JSON.stringify(inner)}, "constructor": {"prototype": {"polluted": true}}}`,
  );
}

/** `levels` objects nested in one another. */
export function nested(levels: number, leaf: unknown = 'leaf'): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { n: value };
  return value;
}

export const boundaryNumber = fc.constantFrom(
  0,
  -0,
  1,
  -1,
  0.004,
  0.005,
  0.9999999999,
  1.0000001,
  1.05,
  1.0500001,
  -0.0500001,
  1e-7,
  1e-131,
  1e-200,
  1e126,
  9.999e125,
  1e200,
  -1e200,
  2 ** 53,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  99_999,
  100_000,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
);

export const oddString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u200b',
    '\u200b\u200c\u200d\u2060\ufeff',
    '\u0000',
    '\u0000\u0007\u001b',
    '\u00ad',
    '\ud800',
    'a\udc00b',
    '🧾',
    '\u202eevil',
    '__proto__',
    'constructor',
    'prototype',
    'NaN',
    '1e200',
    '0000-01-01T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-11-29T24:00:00Z',
    '2026-11-29T12:00:00Z',
    'MERCHANT#',
    '#',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.integer({ min: 1_000, max: 3_000 }).map((length) => 'A'.repeat(length)),
  fc.integer({ min: 400_000, max: 430_000 }).map((length) => 'x'.repeat(length)),
);

const deepValue = fc.integer({ min: 25, max: 60 }).map((levels) => nested(levels));

/** Any hostile value for a field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  boundaryNumber,
  oddString,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.oneof(fc.constant(null), boundaryNumber, oddString), { maxLength: 3 }),
  fc.sparseArray(fc.oneof(fc.constant(null), boundaryNumber), { maxLength: 4 }),
  deepValue,
  fc.jsonValue({ maxDepth: 3 }),
  fc.oneof(fc.constant(null), oddString, fc.constant({ x: 1 })).map(protoKeyed),
);
