import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { boundaryNumber, oddString } from './hostile-values.test-support.js';

export type Item = Record<string, AttributeValue>;

/** An item another writer could put into the shared table, claiming a type the compactor acts on. */
export interface HostileStreamItem {
  readonly kind: 'run' | 'place' | 'label';
  readonly item: Item;
  /** Put twice: the compactor acts on the MODIFY of a merchant record, and on a label's INSERT and MODIFY. */
  readonly modify: boolean;
}

/** A number string DynamoDB stores (digits and magnitude within its range). */
const storedNumber = fc.oneof(
  fc.constantFrom('0', '-1', '1e125', '-9.9e125', '1e-130', '0.5', '12345678901234567890123456789012345678'),
  boundaryNumber
    .filter((n) => Number.isFinite(n) && (n === 0 || (Math.abs(n) >= 1e-130 && Math.abs(n) < 1e126)))
    .map(String),
);

// Strings within DynamoDB's limits (huge ones stay under 400 KB with the rest of the item).
const storedString = oddString.filter((text) => text.length < 300_000);

/** Any attribute value DynamoDB stores, of every type, nested a little, with keys like `__proto__`. */
export const hostileAttribute: fc.Arbitrary<AttributeValue> = fc.letrec<{ value: AttributeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    storedString.map((S) => ({ S })),
    storedNumber.map((N) => ({ N })),
    fc.boolean().map((BOOL) => ({ BOOL })),
    fc.constant({ NULL: true as const }),
    fc.array(tie('value'), { maxLength: 3 }).map((L) => ({ L })),
    fc
      .dictionary(
        storedString.filter((key) => key !== ''),
        tie('value'),
        { maxKeys: 3 },
      )
      .map((M) => ({ M })),
    tie('value').map((inner) => ({ M: withProtoKeys(inner) })),
    fc
      .uniqueArray(
        storedString.filter((text) => text !== ''),
        { minLength: 1, maxLength: 3 },
      )
      .map((SS) => ({ SS })),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((B) => ({ B })),
  ),
})).value;

/** A map whose own keys are `__proto__` and `constructor`. */
function withProtoKeys(inner: AttributeValue): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const key of ['__proto__', 'constructor']) {
    Object.defineProperty(map, key, { value: inner, enumerable: true, writable: true, configurable: true });
  }
  return map;
}

const RUN_ATTRIBUTES = [
  'lines_state',
  'words_state',
  'lines_delta_prefix',
  'words_delta_prefix',
  'created_at',
  'run_id',
  'image_id',
  'receipt_id',
  'lines_merged_vectors',
  'updated_at',
];
const PLACE_ATTRIBUTES = [
  'merchant_name',
  'place_id',
  'confidence',
  'timestamp',
  'validation_status',
  'hours_data',
];
const LABEL_ATTRIBUTES = ['validation_status', 'timestamp_added', 'reasoning', 'label_proposed_by'];

/** Some of `names` with hostile values, and some with plausible ones. */
function attributes(names: readonly string[]): fc.Arbitrary<Item> {
  return fc
    .array(fc.tuple(fc.constantFrom(...names), hostileAttribute), { maxLength: names.length })
    .map((entries) => Object.fromEntries(entries));
}

/** A sort key: well formed for the kind, or not at all. */
const receiptPart = fc.oneof(
  fc.constant('RECEIPT#00001'),
  fc.constantFrom('RECEIPT#1', 'RECEIPT#abcde', 'RECEIPT#'),
);

/**
 * Items claiming to be a COMPACTION_RUN, a RECEIPT_PLACE or a RECEIPT_WORD_LABEL that no reader can make sense
 * of: keys that do not fit their type's shape, attributes of the wrong type or out of every range.
 */
export function hostileStreamItems(imageId: fc.Arbitrary<string>): fc.Arbitrary<HostileStreamItem> {
  const pk = fc.oneof(
    imageId.map((id) => `IMAGE#${id}`),
    fc.constantFrom('IMAGE#not-a-uuid', 'IMAGE#', 'NOPE'),
  );
  const run = fc
    .record({
      pk,
      receipt: receiptPart,
      runId: fc.oneof(
        fc.uuid({ version: 4 }),
        storedString.filter((t) => t.length < 500),
      ),
      rest: attributes(RUN_ATTRIBUTES),
    })
    .map(
      ({ pk: PK, receipt, runId, rest }): HostileStreamItem => ({
        kind: 'run',
        modify: false,
        item: {
          ...rest,
          PK: { S: PK },
          SK: { S: `${receipt}#COMPACTION_RUN#${runId}` },
          TYPE: { S: 'COMPACTION_RUN' },
        },
      }),
    );
  const place = fc.record({ pk, receipt: receiptPart, rest: attributes(PLACE_ATTRIBUTES) }).map(
    ({ pk: PK, receipt, rest }): HostileStreamItem => ({
      kind: 'place',
      modify: true,
      item: { ...rest, PK: { S: PK }, SK: { S: `${receipt}#PLACE` }, TYPE: { S: 'RECEIPT_PLACE' } },
    }),
  );
  const label = fc
    .record({
      pk,
      sk: fc.oneof(
        fc.constant('RECEIPT#00001#LINE#00001#WORD#00001#LABEL#TOTAL'),
        fc.constantFrom('RECEIPT#00001#LINE#x#WORD#1#LABEL#', 'RECEIPT#00001#LABEL#TOTAL', 'LABEL'),
      ),
      rest: attributes(LABEL_ATTRIBUTES),
      modify: fc.boolean(),
    })
    .map(
      ({ pk: PK, sk, rest, modify }): HostileStreamItem => ({
        kind: 'label',
        modify,
        item: { ...rest, PK: { S: PK }, SK: { S: sk }, TYPE: { S: 'RECEIPT_WORD_LABEL' } },
      }),
    );
  return fc.oneof(run, place, label);
}
