/**
 * Lambda event filtering (the EventBridge pattern syntax) applied to a Lambda-shaped stream record, so a filter that
 * selects records locally selects the same ones on AWS. Supported: exact values (strings, numbers, booleans, null),
 * nested objects, `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (values or a prefix), `exists` and
 * `numeric`. Anything else is refused rather than silently matched differently.
 */

/** One filter pattern: the JSON text of a `FilterCriteria.Filters[].Pattern`, or that JSON already parsed. */
export type FilterPattern = string | { readonly [field: string]: unknown };

/** A compiled set of patterns; a record passes when it matches any of them (or there are none). */
export type RecordFilter = (record: unknown) => boolean;

/** Lambda's default quota of filters per event source mapping. */
export const MAX_FILTERS = 5;

export class FilterPatternError extends Error {
  override readonly name = 'FilterPatternError';
}

type Test = (value: unknown) => boolean;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isLiteral = (value: unknown): value is string | number | boolean | null =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** The primitive values a field holds: an array field offers each primitive element, an object none (not a leaf). */
function leafValues(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.filter(isLiteral);
  return isLiteral(value) ? [value] : [];
}

// A Map, not an object literal: an operator spelled `constructor` or `__proto__` must be refused, not found.
const NUMERIC_OPERATORS = new Map<unknown, (value: number, bound: number) => boolean>([
  ['=', (value, bound) => value === bound],
  ['<', (value, bound) => value < bound],
  ['<=', (value, bound) => value <= bound],
  ['>', (value, bound) => value > bound],
  ['>=', (value, bound) => value >= bound],
]);

function stringOperand(operator: string, operand: unknown, path: string): string {
  if (typeof operand !== 'string') throw new FilterPatternError(`${path}: "${operator}" takes a string`);
  return operand;
}

function compileNumeric(operand: unknown, path: string): (value: number) => boolean {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4))
    throw new FilterPatternError(`${path}: "numeric" takes [op, number] or [op, number, op, number]`);
  const comparisons: ((value: number) => boolean)[] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const compare = NUMERIC_OPERATORS.get(operand[i]);
    const bound = operand[i + 1];
    if (!compare || typeof bound !== 'number' || !Number.isFinite(bound))
      throw new FilterPatternError(
        `${path}: bad numeric comparison ${JSON.stringify(operand.slice(i, i + 2))}`,
      );
    comparisons.push((value) => compare(value, bound));
  }
  return (value) => comparisons.every((comparison) => comparison(value));
}

function compileAnythingBut(operand: unknown, path: string): (leaf: unknown) => boolean {
  if (isObject(operand)) {
    const prefix = operand.prefix;
    if (Object.keys(operand).length !== 1 || typeof prefix !== 'string')
      throw new FilterPatternError(`${path}: "anything-but" takes values or {"prefix": string}`);
    return (leaf) => typeof leaf === 'string' && !leaf.startsWith(prefix);
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  if (
    excluded.length === 0 ||
    !excluded.every((value) => typeof value === 'string' || typeof value === 'number')
  )
    throw new FilterPatternError(
      `${path}: "anything-but" takes a string, a number or a non-empty list of them`,
    );
  const values = new Set<unknown>(excluded);
  return (leaf) => !values.has(leaf);
}

/** One element of a leaf array: a literal, or a one-key operator object. */
function compileMatcher(matcher: unknown, path: string): Test {
  if (isLiteral(matcher)) return (value) => leafValues(value).includes(matcher);
  if (!isObject(matcher) || Object.keys(matcher).length !== 1)
    throw new FilterPatternError(
      `${path}: ${JSON.stringify(matcher)} is neither a value nor a one-key operator`,
    );
  const [operator, operand] = Object.entries(matcher)[0] as [string, unknown];
  const anyLeaf =
    (test: (leaf: unknown) => boolean): Test =>
    (value) =>
      leafValues(value).some(test);
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') throw new FilterPatternError(`${path}: "exists" takes true or false`);
      // Like AWS, `exists: true` holds for leaves only: `{"TYPE": [{"exists": true}]}` misses `{"S": "..."}`.
      return operand ? (value) => leafValues(value).length > 0 : (value) => value === undefined;
    case 'prefix': {
      const prefix = stringOperand(operator, operand, path);
      return anyLeaf((leaf) => typeof leaf === 'string' && leaf.startsWith(prefix));
    }
    case 'suffix': {
      const suffix = stringOperand(operator, operand, path);
      return anyLeaf((leaf) => typeof leaf === 'string' && leaf.endsWith(suffix));
    }
    case 'equals-ignore-case': {
      const expected = stringOperand(operator, operand, path).toLowerCase();
      return anyLeaf((leaf) => typeof leaf === 'string' && leaf.toLowerCase() === expected);
    }
    case 'anything-but':
      return anyLeaf(compileAnythingBut(operand, path));
    case 'numeric': {
      // Only JSON numbers: DynamoDB's `{"N": "5"}` holds a string, so a numeric filter never matches it on AWS either.
      const inRange = compileNumeric(operand, path);
      return anyLeaf((leaf) => typeof leaf === 'number' && inRange(leaf));
    }
    default:
      throw new FilterPatternError(`${path}: operator "${operator}" is not supported`);
  }
}

function compileObject(pattern: Record<string, unknown>, path: string): Test {
  const entries = Object.entries(pattern);
  if (entries.length === 0)
    throw new FilterPatternError(`${path || 'pattern'}: empty objects are not allowed`);
  const fields = entries.map(([field, sub]): [string, Test] => {
    const at = path ? `${path}.${field}` : field;
    if (field.startsWith('$')) throw new FilterPatternError(`${at}: "${field}" is not supported`);
    if (Array.isArray(sub)) {
      if (sub.length === 0) throw new FilterPatternError(`${at}: empty arrays are not allowed`);
      const tests = sub.map((matcher) => compileMatcher(matcher, at));
      return [field, (value) => tests.some((test) => test(value))];
    }
    if (isObject(sub)) return [field, compileObject(sub, at)];
    throw new FilterPatternError(
      `${at}: must be an array of matchers or a nested object, got ${JSON.stringify(sub)}`,
    );
  });
  const matchOne = (value: unknown) => {
    const object = isObject(value) ? value : {};
    return fields.every(([field, test]) => test(Object.hasOwn(object, field) ? object[field] : undefined));
  };
  // An array of objects matches when one of its elements does.
  return (value) => (Array.isArray(value) ? value.some(matchOne) : matchOne(value));
}

function compilePattern(pattern: FilterPattern, index: number): Test {
  let parsed: unknown = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new FilterPatternError(`filter ${index}: not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!isObject(parsed)) throw new FilterPatternError(`filter ${index}: a pattern must be a JSON object`);
  try {
    return compileObject(parsed, '');
  } catch (error) {
    if (error instanceof FilterPatternError)
      throw new FilterPatternError(`filter ${index}: ${error.message}`);
    throw error;
  }
}

/** Validates and compiles up to {@link MAX_FILTERS} patterns; throws {@link FilterPatternError} naming the problem. */
export function compileFilterCriteria(patterns: readonly FilterPattern[] = []): RecordFilter {
  if (patterns.length > MAX_FILTERS)
    throw new FilterPatternError(`at most ${MAX_FILTERS} filters are allowed, got ${patterns.length}`);
  const tests = patterns.map(compilePattern);
  if (tests.length === 0) return () => true;
  return (record) => tests.some((test) => test(record));
}
