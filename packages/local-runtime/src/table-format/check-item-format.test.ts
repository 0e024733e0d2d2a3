import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { checkItemFormat } from './check-item-format.js';

// Items written by hand from the format's description, one per type, then broken one rule at a time.
type Item = Record<string, AttributeValue>;
const ID = '9d2c4b1a-3e5f-4a6b-8c7d-0e1f2a3b4c5d';
const PK = { S: `IMAGE#${ID}` };
const n = (value: string) => ({ N: value });
const box = { M: { x: n('0.1'), y: n('0.2'), width: n('0.3'), height: n('0.02') } };
const corner = { M: { x: n('0.1'), y: n('0.2') } };
const geometry: Item = {
  bounding_box: box,
  top_left: corner,
  top_right: corner,
  bottom_left: corner,
  bottom_right: corner,
  angle_degrees: n('-1.5'),
  angle_radians: n('-0.026179938779914945'),
  confidence: n('0.94'),
};

const line: Item = {
  PK,
  SK: { S: 'RECEIPT#00003#LINE#00012' },
  TYPE: { S: 'RECEIPT_LINE' },
  GSI1PK: { S: 'EMBEDDING_STATUS#NONE' },
  GSI1SK: { S: `LINE#IMAGE#${ID}#RECEIPT#00003#LINE#00012` },
  GSI3PK: { S: `IMAGE#${ID}#RECEIPT#00003` },
  GSI3SK: { S: 'LINE' },
  GSI4PK: { S: `IMAGE#${ID}#RECEIPT#00003` },
  GSI4SK: { S: '2_LINE#00012' },
  text: { S: 'TOTAL 4.50' },
  ...geometry,
  embedding_status: { S: 'NONE' },
  is_noise: { BOOL: false },
};
const word: Item = {
  ...line,
  SK: { S: 'RECEIPT#00003#LINE#00012#WORD#00002' },
  TYPE: { S: 'RECEIPT_WORD' },
  GSI1SK: { S: `WORD#IMAGE#${ID}#RECEIPT#00003#LINE#00012#WORD#00002` },
  GSI2PK: { S: 'RECEIPT' },
  GSI2SK: { S: `IMAGE#${ID}#RECEIPT#00003#LINE#00012#WORD#00002` },
  GSI3SK: { S: 'WORD' },
  GSI4SK: { S: '3_WORD#00012#00002' },
  extracted_data: { M: { type: { S: 'price' }, value: { S: '4.50' } } },
};
const label: Item = {
  PK,
  SK: { S: 'RECEIPT#00003#LINE#00003#WORD#00002#LABEL#TOTAL' },
  TYPE: { S: 'RECEIPT_WORD_LABEL' },
  GSI1PK: { S: 'LABEL#TOTAL_____________________________' },
  GSI1SK: { S: `IMAGE#${ID}#RECEIPT#00003#LINE#00003#WORD#00002` },
  GSI2PK: { S: 'RECEIPT' },
  GSI2SK: { S: `IMAGE#${ID}#RECEIPT#00003#LINE#00003#WORD#00002` },
  GSI3PK: { S: 'VALIDATION_STATUS#PENDING' },
  GSI3SK: { S: `IMAGE#${ID}#RECEIPT#00003#LINE#00003#WORD#00002#LABEL#TOTAL` },
  GSI4PK: { S: `IMAGE#${ID}#RECEIPT#00003` },
  GSI4SK: { S: '4_LABEL#00003#00002#TOTAL' },
  reasoning: { NULL: true },
  timestamp_added: { S: '2026-08-20T12:00:00.123000+00:00' },
  validation_status: { S: 'PENDING' },
  label_proposed_by: { S: 'label-evaluator-llm' },
  label_consolidated_from: { NULL: true },
};
const place: Item = {
  PK,
  SK: { S: 'RECEIPT#00003#PLACE' },
  TYPE: { S: 'RECEIPT_PLACE' },
  GSI1PK: { S: 'MERCHANT#JOE_S_1' },
  GSI1SK: { S: `IMAGE#${ID}#RECEIPT#00003#PLACE` },
  GSI2PK: { S: 'PLACE#ChIJ-x' },
  GSI2SK: { S: `IMAGE#${ID}#RECEIPT#00003#PLACE` },
  GSI3PK: { S: 'PLACE_VALIDATION' },
  GSI3SK: { S: `CONFIDENCE#0.0312#STATUS#UNSURE#IMAGE#${ID}` },
  GSI4PK: { S: `IMAGE#${ID}#RECEIPT#00003` },
  GSI4SK: { S: '1_PLACE' },
  image_id: { S: ID },
  receipt_id: n('3'),
  place_id: { S: 'ChIJ-x' },
  merchant_name: { S: "Joe's #1" },
  validation_status: { S: 'UNSURE' },
  confidence: n('0.03125'),
  timestamp: { S: '2026-08-20T12:00:00.123000+00:00' },
  validated_by: { NULL: true },
  matched_fields: { L: [{ S: 'name' }] },
  formatted_address: { S: '1 Main St' },
  phone_number: { NULL: true },
  latitude: n('34.4'),
  open_now: { BOOL: true },
  hours_data: { M: { weekday_text: { S: 'Mon' } } },
};
const run: Item = {
  PK,
  SK: { S: 'RECEIPT#00003#COMPACTION_RUN#5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f' },
  TYPE: { S: 'COMPACTION_RUN' },
  GSI1PK: { S: 'RUNS' },
  GSI1SK: { S: 'CREATED_AT#2026-08-20T12:00:00.000Z' },
  run_id: { S: '5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f' },
  image_id: { S: ID },
  receipt_id: n('3'),
  lines_delta_prefix: { S: 'lines/delta/5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f/' },
  words_delta_prefix: { S: 'words/delta/5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f/' },
  lines_state: { S: 'COMPLETED' },
  words_state: { S: 'PENDING' },
  lines_finished_at: { S: '2026-08-20T12:00:05.000Z' },
  words_finished_at: { NULL: true },
  lines_merged_vectors: n('12'),
  created_at: { S: '2026-08-20T12:00:00.000Z' },
};

const without = (item: Item, ...names: string[]) =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !names.includes(name)));

describe('checkItemFormat', () => {
  it('accepts an item of each type written as the format describes', () => {
    for (const item of [line, word, label, place, run])
      expect(checkItemFormat(item), item.TYPE?.S).toEqual([]);
  });

  it.each([
    ['a line without GSI4', without(line, 'GSI4PK', 'GSI4SK'), /GSI4PK must be/],
    ['float noise in a confidence', { ...line, confidence: n('0.9400000000000001') }, /at most 2 decimals/],
    [
      'a coordinate with 21 decimals',
      { ...line, top_left: { M: { x: n('0.123456789012345678901'), y: n('0') } } },
      /top_left\.x/,
    ],
    [
      'a bounding box with another key',
      { ...line, bounding_box: { M: { ...box.M, z: n('1') } } },
      /exactly x, y, width, height/,
    ],
    ['an id attribute on a line', { ...line, line_id: n('12') }, /line_id is no longer written/],
    [
      'a number in extracted data',
      { ...word, extracted_data: { M: { value: n('4.5') } } },
      /extracted_data\.value must be S/,
    ],
    ['a word without its GSI2', without(word, 'GSI2PK'), /GSI2PK must be "RECEIPT"/],
    ['a label attribute', { ...label, label: { S: 'TOTAL' } }, /label is not written/],
    ['a label GSI1PK not padded to 40', { ...label, GSI1PK: { S: 'LABEL#TOTAL' } }, /GSI1PK must be/],
    ['an empty reasoning', { ...label, reasoning: { S: '' } }, /reasoning must be NULL, never ""/],
    ['a label status of ""', { ...label, validation_status: { S: '' } }, /validation_status must be one of/],
    ['a label without reasoning', without(label, 'reasoning'), /reasoning must be present/],
    ['an unknown place attribute', { ...place, time_to_live: n('1') }, /time_to_live is not an attribute/],
    [
      'a place GSI1PK not the slug',
      { ...place, GSI1PK: { S: "MERCHANT#JOE'S_#1" } },
      /GSI1PK must be "MERCHANT#JOE_S_1"/,
    ],
    [
      'a place confidence rounded half-up',
      { ...place, GSI3SK: { S: `CONFIDENCE#0.0313#STATUS#UNSURE#IMAGE#${ID}` } },
      /ties to even/,
    ],
    ['a GSI2 without a place', { ...place, place_id: { S: '' } }, /GSI2PK must be absent/],
    [
      'a lower-case validated_by',
      { ...place, validated_by: { S: 'inference' } },
      /validated_by must be one of/,
    ],
    [
      'matched fields as a string set',
      { ...place, matched_fields: { SS: ['name'] } },
      /matched_fields must be L of S/,
    ],
    [
      'an empty string instead of NULL',
      { ...place, phone_number: { S: '' } },
      /phone_number must be NULL when empty/,
    ],
    ['a latitude out of range', { ...place, latitude: n('91') }, /latitude must be within ±90/],
    ['a run GSI1SK that is not its creation time', { ...run, GSI1SK: { S: 'CREATED_AT#x' } }, /GSI1SK/],
    ['a TYPE the format does not describe', { ...line, TYPE: { S: 'RECEIPT_LINES' } }, /TYPE is not a type/],
  ])('refuses %s', (_, item, problem) => {
    const violations = checkItemFormat(item);
    expect(
      violations.some((violation) => problem.test(violation)),
      violations.join('\n'),
    ).toBe(true);
  });

  it('reads legacy forms the parsers accept, which writers no longer write', () => {
    const legacyPlace = {
      ...without(place, 'GSI4PK', 'GSI4SK', 'confidence', 'image_id', 'receipt_id'),
      matched_fields: { SS: ['name'] },
      hours_data: { S: '{"weekday_text": "Mon"}' },
      geohash: { S: '9q4gu' },
      GSI1PK: { S: 'MERCHANT#OLD_NAME' },
    };
    expect(checkItemFormat(legacyPlace, 'readable')).toEqual([]);
    expect(checkItemFormat(legacyPlace, 'written')).not.toEqual([]);
    const olderLine = {
      ...without(line, 'GSI4PK', 'GSI4SK', 'is_noise'),
      confidence: n('0.9400000000000001'),
    };
    expect(checkItemFormat(olderLine, 'readable')).toEqual([]);
    expect(checkItemFormat({ ...place, time_to_live: n('1') }, 'readable')).not.toEqual([]);
  });
});
