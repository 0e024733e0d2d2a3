import { correctMerchantRecord, InvalidValueError, parseMerchantRecord } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import type { Item } from './attribute-values.js';
import { fromReceiptPlaceItem, RECEIPT_PLACE_CODEC, toReceiptPlaceItem } from './receipt-place-item.js';

const IMAGE = '2f0f6c53-8f5c-4b6a-9d37-0c1f6a2e9b41';
const PK = { S: `IMAGE#${IMAGE}` };
const GSI_SK = { S: `IMAGE#${IMAGE}#RECEIPT#00007#PLACE` };

const full = parseMerchantRecord({
  imageId: IMAGE,
  receiptId: 7,
  placeId: 'ChIJ-place',
  merchantName: "Joe's Diner #2",
  validationStatus: 'MATCHED',
  confidence: 0.95,
  timestamp: '2026-08-20T12:00:00.123000+00:00',
  validatedBy: 'PHONE_LOOKUP',
  reasoning: 'phone matched',
  matchedFields: ['name', 'phone'],
  merchantCategory: 'restaurant',
  merchantTypes: ['restaurant', 'food'],
  address: '1 Main St, Springfield',
  shortAddress: '1 Main St',
  addressComponents: { locality: 'Springfield' },
  phoneNumber: '(805) 555-1234',
  phoneIntl: '+1 805-555-1234',
  website: 'https://joes.example',
  mapsUrl: 'https://maps.google.com/?cid=7',
  businessStatus: 'OPERATIONAL',
  plusCode: '8FVC9G8F+6X',
  placesApiVersion: 'v1',
  latitude: 34.42,
  longitude: -119.7,
  viewportNeLat: 34.43,
  viewportNeLng: -119.69,
  viewportSwLat: 34.41,
  viewportSwLng: -119.71,
  openNow: false,
  hoursSummary: ['Mon: 7 AM - 3 PM'],
  hoursData: { periods: [{ open: { day: 1, hour: 7 } }] },
  photoReferences: ['photo-1'],
});

const fullItem: Item = {
  PK,
  SK: { S: 'RECEIPT#00007#PLACE' },
  GSI1PK: { S: 'MERCHANT#JOE_S_DINER_2' },
  GSI1SK: GSI_SK,
  GSI2PK: { S: 'PLACE#ChIJ-place' },
  GSI2SK: GSI_SK,
  GSI3PK: { S: 'PLACE_VALIDATION' },
  GSI3SK: { S: `CONFIDENCE#0.9500#STATUS#MATCHED#IMAGE#${IMAGE}` },
  GSI4PK: { S: `IMAGE#${IMAGE}#RECEIPT#00007` },
  GSI4SK: { S: '1_PLACE' },
  TYPE: { S: 'RECEIPT_PLACE' },
  image_id: { S: IMAGE },
  receipt_id: { N: '7' },
  place_id: { S: 'ChIJ-place' },
  merchant_name: { S: "Joe's Diner #2" },
  validation_status: { S: 'MATCHED' },
  confidence: { N: '0.95' },
  timestamp: { S: '2026-08-20T12:00:00.123000+00:00' },
  validated_by: { S: 'PHONE_LOOKUP' },
  reasoning: { S: 'phone matched' },
  matched_fields: { L: [{ S: 'name' }, { S: 'phone' }] },
  merchant_category: { S: 'restaurant' },
  merchant_types: { L: [{ S: 'restaurant' }, { S: 'food' }] },
  formatted_address: { S: '1 Main St, Springfield' },
  short_address: { S: '1 Main St' },
  address_components: { M: { locality: { S: 'Springfield' } } },
  phone_number: { S: '(805) 555-1234' },
  phone_intl: { S: '+1 805-555-1234' },
  website: { S: 'https://joes.example' },
  maps_url: { S: 'https://maps.google.com/?cid=7' },
  business_status: { S: 'OPERATIONAL' },
  plus_code: { S: '8FVC9G8F+6X' },
  places_api_version: { S: 'v1' },
  latitude: { N: '34.42' },
  longitude: { N: '-119.7' },
  viewport_ne_lat: { N: '34.43' },
  viewport_ne_lng: { N: '-119.69' },
  viewport_sw_lat: { N: '34.41' },
  viewport_sw_lng: { N: '-119.71' },
  open_now: { BOOL: false },
  hours_summary: { L: [{ S: 'Mon: 7 AM - 3 PM' }] },
  hours_data: { M: { periods: { L: [{ M: { open: { M: { day: { N: '1' }, hour: { N: '7' } } } } }] } } },
  photo_references: { L: [{ S: 'photo-1' }] },
};

const bare = parseMerchantRecord({
  imageId: IMAGE,
  receiptId: 7,
  placeId: '',
  merchantName: 'Café',
  timestamp: '2026-08-20T05:00:00-07:00',
});

describe('RECEIPT_PLACE item', () => {
  it('writes every attribute of the current format, with its keys, GSI1-4 and number formats', () => {
    expect(toReceiptPlaceItem(full)).toEqual(fullItem);
    expect(fromReceiptPlaceItem(fullItem)).toEqual(full);
  });

  it('leaves out GSI2 without a place, and empty lists, maps and unknown numbers; NULL for absent strings', () => {
    const item = toReceiptPlaceItem(bare);
    expect(Object.keys(item).filter((name) => name.startsWith('GSI'))).toEqual([
      'GSI1PK',
      'GSI1SK',
      'GSI3PK',
      'GSI3SK',
      'GSI4PK',
      'GSI4SK',
    ]);
    expect(item).toMatchObject({
      GSI1PK: { S: 'MERCHANT#CAF' },
      GSI3SK: { S: `CONFIDENCE#0.0000#STATUS##IMAGE#${IMAGE}` },
      place_id: { S: '' },
      validation_status: { S: '' },
      confidence: { N: '0' },
      validated_by: { NULL: true },
      formatted_address: { NULL: true },
    });
    for (const name of ['matched_fields', 'latitude', 'open_now', 'hours_data', 'photo_references']) {
      expect(item).not.toHaveProperty(name);
    }
    expect(fromReceiptPlaceItem(item)).toEqual(bare);
  });

  it('writes the GSI3 confidence as Python formats it: 4 decimals, half-even on the binary value', () => {
    expect(toReceiptPlaceItem({ ...bare, confidence: 0.03125 }).GSI3SK?.S).toMatch(/^CONFIDENCE#0\.0312#/);
  });

  it('reads legacy shapes (string sets, JSON strings) and ignores geohash and other attributes', () => {
    const legacy: Item = {
      ...fullItem,
      matched_fields: { SS: ['name', 'phone'] },
      address_components: { S: '{"locality": "Springfield"}' },
      geohash: { S: '9q4gu' },
      confidence: { N: '0.950' },
    };
    expect(fromReceiptPlaceItem(legacy)).toEqual(full);
    const { confidence: _, validation_status: __, ...old } = fullItem;
    expect(fromReceiptPlaceItem(old)).toMatchObject({ confidence: 0, validationStatus: '' });
  });

  it.each([
    ['RECEIPT_PLACE.TYPE', { TYPE: { S: 'RECEIPT_METADATA' } }],
    ['RECEIPT_PLACE.place_id', { place_id: { NULL: true } }],
    ['RECEIPT_PLACE.validation_status', { validation_status: { NULL: true } }],
    ['RECEIPT_PLACE.matched_fields', { matched_fields: { NULL: true } }],
    ['RECEIPT_PLACE.validated_by', { validated_by: { S: 'MANUAL' } }],
    ['RECEIPT_PLACE.hours_data', { hours_data: { S: 'Mon-Fri' } }],
    ['RECEIPT_PLACE.latitude', { latitude: { N: '91' } }],
    ['RECEIPT_PLACE.SK', { SK: { S: 'RECEIPT#00007#METADATA' } }],
  ])('refuses a bad item naming %s', (field, patch) => {
    const read = () => fromReceiptPlaceItem({ ...fullItem, ...patch });
    expect(read).toThrow(InvalidValueError);
    expect(read).toThrow(expect.objectContaining({ field }));
  });

  it('changes, for a correction within the business, only the corrected attributes and the rebuilt keys', () => {
    const corrected = correctMerchantRecord(
      full,
      { phoneNumber: '(805) 555-9999' },
      { at: '2026-08-21T00:00:00.000Z', reasoning: 'the receipt prints another phone' },
    );
    expect(RECEIPT_PLACE_CODEC.changes(full, corrected, fullItem)).toEqual({
      set: {
        timestamp: { S: '2026-08-21T00:00:00.000Z' },
        validated_by: { S: 'INFERENCE' },
        reasoning: { S: 'the receipt prints another phone' },
        phone_number: { S: '(805) 555-9999' },
      },
      remove: [],
    });
  });

  it('clears, for a correction to another business, everything derived from the old place', () => {
    const corrected = correctMerchantRecord(
      full,
      { merchantName: 'Corner Bakery' },
      { at: '2026-08-21T00:00:00.000Z', reasoning: 'the receipt prints another store' },
    );
    const { set, remove } = RECEIPT_PLACE_CODEC.changes(full, corrected, fullItem);
    expect(set).toMatchObject({
      merchant_name: { S: 'Corner Bakery' },
      place_id: { S: '' },
      validation_status: { S: 'NO_MATCH' },
      confidence: { N: '0' },
      formatted_address: { NULL: true },
      phone_number: { NULL: true },
      GSI1PK: { S: 'MERCHANT#CORNER_BAKERY' },
      GSI3SK: { S: `CONFIDENCE#0.0000#STATUS#NO_MATCH#IMAGE#${IMAGE}` },
    });
    expect([...remove].sort()).toEqual(
      [
        'GSI2PK',
        'GSI2SK',
        'address_components',
        'hours_data',
        'hours_summary',
        'latitude',
        'longitude',
        'matched_fields',
        'merchant_types',
        'open_now',
        'photo_references',
        'viewport_ne_lat',
        'viewport_ne_lng',
        'viewport_sw_lat',
        'viewport_sw_lng',
      ].sort(),
    );
  });
});
