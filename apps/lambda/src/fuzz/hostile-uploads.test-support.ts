import fc from 'fast-check';
import { hostileValue, oddString } from './hostile-values.test-support.js';

/** One change a hostile client makes to a valid upload event. */
export type Mutation =
  | { readonly kind: 'set'; readonly path: readonly (string | number)[]; readonly value: unknown }
  | { readonly kind: 'delete'; readonly path: readonly (string | number)[] }
  | { readonly kind: 'insert'; readonly path: readonly (string | number)[]; readonly value: unknown };

/** A fuzz case: a valid event for a fresh receipt, then changed, or replaced whole. */
export type HostileUpload =
  | { readonly imageId: string; readonly mutations: readonly Mutation[] }
  | { readonly imageId: string; readonly event: unknown };

const TEXT_FIELDS = [
  'text',
  'lineId',
  'boundingBox',
  'topLeft',
  'topRight',
  'bottomLeft',
  'bottomRight',
  'angleDegrees',
  'angleRadians',
  'confidence',
  'embeddingStatus',
  'isNoise',
] as const;
const NESTED_GEOMETRY = [
  ['boundingBox', 'x'],
  ['boundingBox', 'y'],
  ['boundingBox', 'width'],
  ['boundingBox', 'height'],
  ['topLeft', 'x'],
  ['bottomRight', 'y'],
] as const;
const METADATA_FIELDS = [
  'merchantName',
  'placeId',
  'validationStatus',
  'confidence',
  'timestamp',
  'validatedBy',
  'matchedFields',
  'merchantTypes',
  'hoursSummary',
  'hoursData',
  'addressComponents',
  'latitude',
  'longitude',
  'viewportNeLat',
  'openNow',
  'address',
  'phoneNumber',
  'website',
  'reasoning',
] as const;

/** Paths into an event with `lines` lines and `words` words. */
function paths(lines: number, words: number): fc.Arbitrary<(string | number)[]> {
  const line = fc.nat(lines - 1);
  const word = fc.nat(words - 1);
  const textField = fc.oneof(
    fc.constantFrom(...TEXT_FIELDS).map((field) => [field]),
    fc.constantFrom(...NESTED_GEOMETRY).map((path) => [...path]),
  );
  return fc.oneof(
    fc.constantFrom('imageId', 'receiptId', 'runId', 'lines', 'words', 'metadata').map((field) => [field]),
    fc.tuple(line, textField).map(([i, field]) => ['lines', i, ...field]),
    fc
      .tuple(word, fc.oneof(textField, fc.constant(['wordId']), fc.constant(['extractedData'])))
      .map(([i, field]) => ['words', i, ...field]),
    fc.tuple(word, oddString).map(([i, key]) => ['words', i, 'extractedData', key]),
    fc.constantFrom(...METADATA_FIELDS).map((field) => ['metadata', field]),
    fc
      .tuple(fc.constantFrom('hoursData', 'addressComponents'), oddString)
      .map(([field, key]) => ['metadata', field, key]),
  );
}

function mutation(lines: number, words: number): fc.Arbitrary<Mutation> {
  const path = paths(lines, words);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), path, value: hostileValue }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), path }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('insert' as const),
        path: fc.constantFrom(['lines'], ['words'], ['metadata', 'matchedFields']),
        value: fc.oneof(hostileValue, fc.constant(null)),
      }),
    },
  );
}

/** Hostile uploads of a receipt whose valid event has `lines` lines and `words` words. */
export function hostileUploads(lines: number, words: number): fc.Arbitrary<HostileUpload> {
  return fc.oneof(
    {
      weight: 9,
      arbitrary: fc.record({
        imageId: fc.uuid({ version: 4 }),
        mutations: fc.array(mutation(lines, words), { minLength: 1, maxLength: 3 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ imageId: fc.uuid({ version: 4 }), event: hostileValue }) },
  );
}

/**
 * The event of a case: `base` given the case's image id, then changed. Keys are defined as own properties, so a
 * key `__proto__` is a field (as JSON.parse makes it), never a prototype.
 */
export function eventOf(base: Record<string, unknown>, hostile: HostileUpload): unknown {
  if ('event' in hostile) return hostile.event;
  const event = structuredClone({ ...base, imageId: hostile.imageId }) as Record<string, unknown>;
  for (const change of hostile.mutations) apply(event, change);
  return event;
}

function apply(event: Record<string, unknown>, change: Mutation): void {
  const parentPath = change.path.slice(0, -1);
  const last = change.path.at(-1) as string | number;
  let parent: unknown = event;
  for (const step of parentPath) {
    const container = parent as Record<string | number, unknown>;
    const next = container[step];
    if (typeof next !== 'object' || next === null) {
      define(container, step, {});
    }
    parent = container[step];
  }
  const container = parent as Record<string | number, unknown>;
  if (change.kind === 'delete') {
    delete container[last];
  } else if (change.kind === 'insert') {
    const list = container[last];
    if (Array.isArray(list)) list.splice(Math.floor(list.length / 2), 0, change.value);
    else define(container, last, [change.value]);
  } else {
    define(container, last, change.value);
  }
}

function define(container: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
}

export function describeCase(hostile: HostileUpload): string {
  const show = (value: unknown) => {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 80)}... (${text.length} chars)` : text;
  };
  const path = (steps: readonly (string | number)[]) =>
    steps.map((step) => (typeof step === 'string' && step.length > 40 ? show(step) : step)).join('.');
  if ('event' in hostile) return `event = ${show(hostile.event)}`;
  return hostile.mutations
    .map((change) =>
      change.kind === 'delete'
        ? `delete ${path(change.path)}`
        : `${change.kind} ${path(change.path)} = ${show(change.value)}`,
    )
    .join('; ');
}
