import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type ReceiptLine, type ReceiptWord, wordVectorId } from '@receipt-gate/core';
import { PHARMACY_RECEIPT } from '@receipt-gate/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKENS } from '../container/tokens.js';
import {
  type Flow,
  formatViolations,
  type Item,
  keyOf,
  startFlow,
  uploadEvent,
} from './interop.test-support.js';

// Items in the exact shape the existing services write them (built here from the format's description, not by
// our codecs): every optional attribute of a RECEIPT_PLACE, NULLs, lists and maps, labels outside the vocabulary,
// timestamps with offsets, microseconds or none, lines and words as their OCR step writes them, a summary, and two
// items their own parsers cannot read. Upload, validation and compaction then run over the receipt.

const SAMPLE = PHARMACY_RECEIPT;
const ID = SAMPLE.imageId;
const PK = { S: `IMAGE#${ID}` };
const R5 = '00001';
const RECEIPT = `IMAGE#${ID}#RECEIPT#${R5}`;
const S = (value: string) => ({ S: value });
const N = (value: string) => ({ N: value });
const NULL = { NULL: true };
const pad = (id: number) => String(id).padStart(5, '0');

/** Python's `Decimal(str(x)).quantize(...)` for values that have no more decimals than `places`. */
function pyFixed(value: number, places: number): AttributeValue {
  const [whole, fraction = ''] = String(value).split('.');
  if (String(value).includes('e') || fraction.length > places) throw new Error(`${value} needs rounding`);
  return N(`${whole}.${fraction.padEnd(places, '0')}`);
}

function pyGeometry(text: ReceiptLine): Item {
  const point = (p: { x: number; y: number }) => ({ M: { x: pyFixed(p.x, 20), y: pyFixed(p.y, 20) } });
  const box = text.boundingBox;
  return {
    bounding_box: {
      M: {
        x: pyFixed(box.x, 20),
        y: pyFixed(box.y, 20),
        width: pyFixed(box.width, 20),
        height: pyFixed(box.height, 20),
      },
    },
    top_left: point(text.topLeft),
    top_right: point(text.topRight),
    bottom_left: point(text.bottomLeft),
    bottom_right: point(text.bottomRight),
    angle_degrees: pyFixed(text.angleDegrees, 18),
    angle_radians: pyFixed(text.angleRadians, 18),
    confidence: N((Math.round(text.confidence * 100) / 100).toFixed(2)),
  };
}

function pyLine(line: ReceiptLine): Item {
  const sk = `RECEIPT#${R5}#LINE#${pad(line.lineId)}`;
  return {
    PK,
    SK: S(sk),
    TYPE: S('RECEIPT_LINE'),
    GSI1PK: S('EMBEDDING_STATUS#SUCCESS'),
    GSI1SK: S(`LINE#IMAGE#${ID}#${sk}`),
    GSI3PK: S(RECEIPT),
    GSI3SK: S('LINE'),
    GSI4PK: S(RECEIPT),
    GSI4SK: S(`2_LINE#${pad(line.lineId)}`),
    text: S(line.text),
    ...pyGeometry(line),
    embedding_status: S('SUCCESS'),
    is_noise: { BOOL: false },
  };
}

function pyWord(word: ReceiptWord, extractedData: AttributeValue = NULL): Item {
  const sk = `RECEIPT#${R5}#LINE#${pad(word.lineId)}#WORD#${pad(word.wordId)}`;
  return {
    PK,
    SK: S(sk),
    TYPE: S('RECEIPT_WORD'),
    GSI1PK: S('EMBEDDING_STATUS#SUCCESS'),
    GSI1SK: S(`WORD#IMAGE#${ID}#${sk}`),
    GSI2PK: S('RECEIPT'),
    GSI2SK: S(`IMAGE#${ID}#${sk}`),
    GSI3PK: S(RECEIPT),
    GSI3SK: S('WORD'),
    GSI4PK: S(RECEIPT),
    GSI4SK: S(`3_WORD#${pad(word.lineId)}#${pad(word.wordId)}`),
    text: S(word.text),
    ...pyGeometry(word),
    embedding_status: S('SUCCESS'),
    is_noise: { BOOL: false },
    extracted_data: extractedData,
  };
}

function pyLabel(lineId: number, wordId: number, label: string, fields: Item): Item {
  const wordSk = `RECEIPT#${R5}#LINE#${pad(lineId)}#WORD#${pad(wordId)}`;
  const sk = `${wordSk}#LABEL#${label}`;
  const status = fields.validation_status?.S ?? 'NONE';
  return {
    PK,
    SK: S(sk),
    TYPE: S('RECEIPT_WORD_LABEL'),
    ...(label.length > 34
      ? {}
      : { GSI1PK: S(`LABEL#${label}`.padEnd(40, '_')), GSI1SK: S(`IMAGE#${ID}#${wordSk}`) }),
    GSI2PK: S('RECEIPT'),
    GSI2SK: S(`IMAGE#${ID}#${wordSk}`),
    GSI3PK: S(`VALIDATION_STATUS#${status}`),
    GSI3SK: S(`IMAGE#${ID}#${sk}`),
    GSI4PK: S(RECEIPT),
    GSI4SK: S(`4_LABEL#${pad(lineId)}#${pad(wordId)}#${label}`),
    reasoning: NULL,
    label_proposed_by: NULL,
    label_consolidated_from: NULL,
    ...fields,
  };
}

const placeSk = `IMAGE#${ID}#RECEIPT#${R5}#PLACE`;
/** The record of another store (the pharmacy sample's wrong merchant), with every optional attribute set. */
const place: Item = {
  PK,
  SK: S(`RECEIPT#${R5}#PLACE`),
  TYPE: S('RECEIPT_PLACE'),
  GSI1PK: S('MERCHANT#MAPLE_DRUG_CO'),
  GSI1SK: S(placeSk),
  GSI2PK: S('PLACE#ChIJmapledrugCOLUMBUS00001'),
  GSI2SK: S(placeSk),
  GSI3PK: S('PLACE_VALIDATION'),
  GSI3SK: S(`CONFIDENCE#0.6100#STATUS#UNSURE#IMAGE#${ID}`),
  GSI4PK: S(RECEIPT),
  GSI4SK: S('1_PLACE'),
  image_id: S(ID),
  receipt_id: N('1'),
  place_id: S('ChIJmapledrugCOLUMBUS00001'),
  merchant_name: S('Maple Drug Co'),
  validation_status: S('UNSURE'),
  confidence: N('0.61'),
  timestamp: S('2026-08-20T12:00:00.123000+00:00'),
  validated_by: S('NEARBY_LOOKUP'),
  matched_fields: { L: [S('name')] },
  merchant_types: { L: [S('pharmacy'), S('health'), S('store')] },
  hours_summary: { L: [S('Monday: 8:00 AM – 9:00 PM'), S('Sunday: Closed')] },
  photo_references: { L: [S('AUc7tXV-photo-1')] },
  merchant_category: S('pharmacy'),
  formatted_address: S('88 Maple Ave, Columbus, OH 43201, USA'),
  short_address: S('88 Maple Ave'),
  phone_number: S('(614) 555-0177'),
  phone_intl: S('+1 614-555-0177'),
  website: S('https://mapledrug.example'),
  maps_url: S('https://maps.google.com/?cid=123'),
  business_status: S('OPERATIONAL'),
  plus_code: S('86FVX2Q6+2C'),
  reasoning: S('nearest pharmacy to the receipt location'),
  places_api_version: S('v1'),
  latitude: N('39.9612'),
  longitude: N('-82.9988'),
  viewport_ne_lat: N('39.9625'),
  viewport_ne_lng: N('-82.9975'),
  viewport_sw_lat: N('39.9599'),
  viewport_sw_lng: N('-83.0001'),
  open_now: { BOOL: true },
  address_components: { M: { locality: S('Columbus'), postal_code: S('43201') } },
  hours_data: { M: { periods: { L: [{ M: { open: { M: { day: N('1'), time: S('0800') } } } }] } } },
};
const summary: Item = {
  PK,
  SK: S(`RECEIPT#${R5}#SUMMARY`),
  TYPE: S('RECEIPT_SUMMARY'),
  GSI4PK: S(RECEIPT),
  GSI4SK: S('5_SUMMARY'),
  merchant_name: S('Maple Drug Co'),
  grand_total: N('35.12'),
};
const legacyLabel = pyLabel(1, 1, 'BUSINESS_NAME', {
  reasoning: S('header line'),
  timestamp_added: S('2026-08-20T09:15:00-07:00'),
  validation_status: S('VALID'),
  label_proposed_by: S('label-evaluator-llm'),
});
const labels = [
  legacyLabel,
  // Undecided, with every optional field NULL and a naive timestamp: our proposal of the same label leaves it be.
  pyLabel(4, 2, 'PHONE_NUMBER', {
    timestamp_added: S('2026-08-19T22:10:05.123456'),
    validation_status: NULL,
  }),
  pyLabel(14, 2, 'GRAND_TOTAL', {
    reasoning: S('the amount after Subtotal'),
    timestamp_added: S('2026-08-20T19:00:00.5+00:00'),
    validation_status: S('INVALID'),
    label_proposed_by: S('label-evaluator-llm'),
    label_consolidated_from: S('SUBTOTAL'),
  }),
  pyLabel(22, 1, 'LEGACY_RETURN_POLICY_DISCLAIMER_TEXT', {
    timestamp_added: S('2026-01-02T03:04:05Z'),
    validation_status: S('VALID'),
  }),
];
// Items the existing parsers refuse: a label with a status of "" and a word whose extracted data holds a number.
const badLabel = pyLabel(8, 2, 'DATE', {
  timestamp_added: S('2026-08-20T12:00:00+00:00'),
  validation_status: S(''),
});
const word = (lineId: number, wordId: number) => {
  const found = SAMPLE.words.find((w) => w.lineId === lineId && w.wordId === wordId);
  if (!found) throw new Error(`no word ${lineId}/${wordId}`);
  return found;
};
const badWord = pyWord(word(22, 2), { M: { type: S('count'), value: N('30') } });
const words = SAMPLE.words
  .filter((w) => !(w.lineId === 22 && w.wordId === 2))
  .map((w) =>
    w.lineId === 17 && w.wordId === 2
      ? pyWord(w, { M: { type: S('currency'), value: S('35.12') } })
      : pyWord(w),
  );
const existing = [place, summary, ...SAMPLE.lines.map(pyLine), ...words, ...labels];
const unreadable = [badLabel, badWord];

// What a validation's correction may change on a RECEIPT_PLACE (and on the summary, its merchant name).
const CORRECTION_ATTRIBUTES = new Set([
  'merchant_name',
  'place_id',
  'formatted_address',
  'phone_number',
  'validated_by',
  'confidence',
  'validation_status',
  'matched_fields',
  'reasoning',
  'timestamp',
  'GSI1PK',
  'GSI2PK',
  'GSI2SK',
  'GSI3SK',
  // Derived from the old place, cleared when the business changes.
  'merchant_category',
  'merchant_types',
  'short_address',
  'address_components',
  'phone_intl',
  'website',
  'maps_url',
  'business_status',
  'plus_code',
  'places_api_version',
  'latitude',
  'longitude',
  'viewport_ne_lat',
  'viewport_ne_lng',
  'viewport_sw_lat',
  'viewport_sw_lng',
  'open_now',
  'hours_summary',
  'hours_data',
  'photo_references',
]);
const OURS: Record<string, ReadonlySet<string>> = {
  RECEIPT_PLACE: CORRECTION_ATTRIBUTES,
  RECEIPT_SUMMARY: new Set(['merchant_name']),
};

/** A value as DynamoDB compares it: numbers by value (the store may drop trailing zeros), maps by content. */
function comparable(value: AttributeValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.N !== undefined) return value.N.includes('.') ? value.N.replace(/\.?0+$/, '') : value.N;
  if (value.M !== undefined) {
    return Object.fromEntries(
      Object.entries(value.M)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, entry]) => [key, comparable(entry)]),
    );
  }
  if (value.L !== undefined) return value.L.map(comparable);
  return value;
}

/** The attributes whose value differs between two versions of an item (added and removed ones included). */
function changedAttributes(before: Item, after: Item | undefined): string[] {
  if (!after) return ['(the item is gone)'];
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names]
    .filter((name) => JSON.stringify(comparable(before[name])) !== JSON.stringify(comparable(after[name])))
    .sort();
}

let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe("the flow over items in the existing services' shapes", () => {
  it('leaves every such item matching the format, changed only in the fields we own', {
    timeout: 120_000,
  }, async () => {
    flow = await startFlow();
    for (const item of [...existing, ...unreadable]) await flow.put(item);
    expect(formatViolations([...existing.filter((item) => item !== summary)])).toEqual([]);

    const { validation } = await flow.upload(uploadEvent(SAMPLE));
    await flow.settle();

    // The receipt validated: gate completed, labels written, the merchant record corrected.
    expect(validation?.gate.outcome).toBe('completed');
    expect(validation?.labels.written).toBeGreaterThan(0);
    expect(validation?.metadata.status).toBe('corrected');

    const after = new Map((await flow.items()).map((item) => [keyOf(item), item]));
    for (const item of [...existing, ...unreadable]) {
      const allowed = OURS[item.TYPE?.S ?? ''] ?? new Set();
      const changed = changedAttributes(item, after.get(keyOf(item)));
      expect(
        changed.filter((name) => !allowed.has(name)),
        keyOf(item),
      ).toEqual([]);
    }
    const shapes = existing.filter((item) => item !== summary).map((item) => after.get(keyOf(item)) ?? {});
    expect(formatViolations(shapes)).toEqual([]);
    const created = [...after.values()].filter(
      (item) => ![...existing, ...unreadable].some((mine) => keyOf(mine) === keyOf(item)),
    );
    expect(created.map((item) => item.TYPE?.S)).toContain('RECEIPT_WORD_LABEL');
    expect(formatViolations(created)).toEqual([]);

    // The correction, with the spec's field set: another business, so the old place and what came with it went.
    expect(after.get(keyOf(place))).toMatchObject({
      merchant_name: S('CORNERSTONE PHARMACY'),
      formatted_address: S('415 Elm Street, Suite 2, Columbus, OH 43215'),
      phone_number: S('(614) 555-0120'),
      place_id: S(''),
      validated_by: S('INFERENCE'),
      validation_status: S('NO_MATCH'),
      confidence: N('0'),
      merchant_category: NULL,
      website: NULL,
      GSI1PK: S('MERCHANT#CORNERSTONE_PHARMACY'),
      GSI3SK: S(`CONFIDENCE#0.0000#STATUS#NO_MATCH#IMAGE#${ID}`),
    });
    for (const gone of [
      'GSI2PK',
      'matched_fields',
      'latitude',
      'open_now',
      'hours_data',
      'photo_references',
    ]) {
      expect(after.get(keyOf(place))).not.toHaveProperty(gone);
    }
    expect(after.get(keyOf(summary))?.merchant_name).toEqual(S('CORNERSTONE PHARMACY'));

    // The unreadable items were reported by key and left out, and never written.
    const reported = flow.telemetry.eventsOf('store.item_unreadable').map((event) => event.key);
    for (const item of unreadable) expect(reported).toContain(keyOf(item));

    // Every compactor record succeeded, the legacy label's included: its word vector carries it.
    expect(flow.unprocessed).toEqual([]);
    const labelsRead = await flow.container.get(TOKENS.LabelRepository).getLabels(SAMPLE);
    expect(labelsRead.map((label) => label.label)).toContain('BUSINESS_NAME');
    const merchantWord = { imageId: ID, receiptId: 1, lineId: 1, wordId: 1 };
    const [vector] = await flow.snapshots.list('words', wordVectorId(merchantWord));
    expect(vector?.metadata).toMatchObject({
      label_status: 'validated',
      valid_labels_array: ['BUSINESS_NAME'],
    });
    expect(flow.telemetry.metricTotal('LabelsOutsideVocabulary')).toBeGreaterThan(0);
  });
});
