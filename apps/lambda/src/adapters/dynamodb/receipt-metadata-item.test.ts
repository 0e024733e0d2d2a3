import { InvalidValueError, parseMerchantRecord } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import type { Item } from './attribute-values.js';
import {
  fromReceiptMetadataItem,
  metadataGsi1pk,
  RECEIPT_METADATA_CODEC,
  toReceiptMetadataItem,
} from './receipt-metadata-item.js';

const IMAGE = '2f0f6c53-8f5c-4b6a-9d37-0c1f6a2e9b41';

const full = parseMerchantRecord({
  imageId: IMAGE,
  receiptId: 4,
  placeId: 'ChIJ-place',
  merchantName: 'Blue Bottle',
  matchedFields: ['phone', 'name'],
  timestamp: '2026-11-29T12:00:00.000Z',
  merchantCategory: 'cafe',
  address: '1 Main St',
  phoneNumber: '+1 555 0100',
  validatedBy: 'PHONE_LOOKUP',
  reasoning: 'phone matched',
  validationStatus: 'MATCHED',
});

/** Metadata as the Python services wrote it: no matched_fields when empty, NULL optionals, `+00:00`. */
const pythonMetadata: Item = {
  PK: { S: `IMAGE#${IMAGE}` },
  SK: { S: 'RECEIPT#00004#METADATA' },
  GSI1PK: { S: 'MERCHANT#CORNER_SHOP_INC' },
  GSI1SK: { S: `IMAGE#${IMAGE}#RECEIPT#00004#METADATA` },
  GSI3PK: { S: 'MERCHANT_VALIDATION' },
  GSI3SK: { S: 'STATUS#NO_MATCH' },
  TYPE: { S: 'RECEIPT_METADATA' },
  place_id: { S: '' },
  merchant_name: { S: 'Corner Shop' },
  validation_status: { S: 'NO_MATCH' },
  timestamp: { S: '2026-11-29T12:00:00.123456+00:00' },
  merchant_category: { NULL: true },
  address: { NULL: true },
  phone_number: { NULL: true },
  validated_by: { NULL: true },
  reasoning: { NULL: true },
  canonical_place_id: { NULL: true },
  canonical_merchant_name: { S: 'Corner Shop Inc' },
  canonical_address: { NULL: true },
  canonical_phone_number: { NULL: true },
};

describe('receipt metadata item (the legacy format)', () => {
  it('round-trips the fields the format holds (matched fields as a set)', () => {
    const read = fromReceiptMetadataItem(toReceiptMetadataItem(full));
    expect({ ...read, matchedFields: [...read.matchedFields].sort() }).toEqual({
      ...full,
      matchedFields: ['name', 'phone'],
    });
  });

  it('reads metadata as the Python services wrote it: no matched_fields reads as [], canonical names ignored', () => {
    expect(fromReceiptMetadataItem(pythonMetadata)).toEqual({
      imageId: IMAGE,
      receiptId: 4,
      placeId: '',
      merchantName: 'Corner Shop',
      matchedFields: [],
      merchantTypes: [],
      hoursSummary: [],
      photoReferences: [],
      confidence: 0,
      timestamp: '2026-11-29T12:00:00.123456+00:00',
      validationStatus: 'NO_MATCH',
    });
    expect(
      fromReceiptMetadataItem({ ...pythonMetadata, matched_fields: { NULL: true } }).matchedFields,
    ).toEqual([]);
  });

  it('keys GSI1 by the merchant name, upper-case with `_` for spaces', () => {
    expect(metadataGsi1pk('Blue Bottle')).toBe('MERCHANT#BLUE_BOTTLE');
    expect(toReceiptMetadataItem(full).GSI1PK).toEqual({ S: 'MERCHANT#BLUE_BOTTLE' });
  });

  it('changes only what differs; a new name rebuilds GSI1PK and clears the canonical names', () => {
    const read = fromReceiptMetadataItem(pythonMetadata);
    expect(
      RECEIPT_METADATA_CODEC.changes(read, { ...read, phoneNumber: '+1 555 0100' }, pythonMetadata),
    ).toEqual({ set: { phone_number: { S: '+1 555 0100' } }, remove: [] });
    expect(
      RECEIPT_METADATA_CODEC.changes(
        read,
        { ...read, merchantName: 'Bean Bar', placeId: 'p-1' },
        pythonMetadata,
      ),
    ).toEqual({
      set: {
        merchant_name: { S: 'Bean Bar' },
        place_id: { S: 'p-1' },
        GSI1PK: { S: 'MERCHANT#BEAN_BAR' },
        GSI2PK: { S: 'PLACE#p-1' },
        GSI2SK: { S: `IMAGE#${IMAGE}#RECEIPT#00004#METADATA` },
        canonical_merchant_name: { NULL: true },
      },
      remove: [],
    });
  });

  it('refuses to write a validation status the format does not know', () => {
    expect(() => toReceiptMetadataItem({ ...full, validationStatus: 'NEEDS_HUMAN' })).toThrow(
      'RECEIPT_METADATA.validation_status',
    );
  });

  it.each([
    ['RECEIPT_METADATA.merchant_name', { merchant_name: { NULL: true } }],
    ['RECEIPT_METADATA.validated_by', { validated_by: { S: 'GPT' } }],
    ['RECEIPT_METADATA.timestamp', { timestamp: { S: '29/11/2026' } }],
    ['RECEIPT_METADATA.matched_fields', { matched_fields: { NS: ['1'] } }],
    ['RECEIPT_METADATA.address', { address: { N: '1' } }],
    ['RECEIPT_METADATA.SK', { SK: { S: 'RECEIPT#00004#META' } }],
  ])('refuses a bad item naming %s', (field, patch) => {
    const read = () => fromReceiptMetadataItem({ ...pythonMetadata, ...patch });
    expect(read).toThrow(InvalidValueError);
    expect(read).toThrow(expect.objectContaining({ field }));
  });
});
