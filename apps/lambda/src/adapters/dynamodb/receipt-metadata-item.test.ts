import { InvalidValueError, parseReceiptMetadata } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import type { Item } from './attribute-values.js';
import { fromReceiptMetadataItem, merchantGsi1pk, toReceiptMetadataItem } from './receipt-metadata-item.js';

const IMAGE = '2f0f6c53-8f5c-4b6a-9d37-0c1f6a2e9b41';

const full = parseReceiptMetadata({
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
  canonicalPlaceId: 'ChIJ-canonical',
  canonicalMerchantName: 'Blue Bottle Coffee',
  canonicalAddress: '1 Main Street',
  canonicalPhoneNumber: '+15550100',
  validationStatus: 'MATCHED',
});

/** Metadata as the Python services write it: no matched_fields when empty, NULL optionals, `+00:00`. */
const pythonMetadata: Item = {
  PK: { S: `IMAGE#${IMAGE}` },
  SK: { S: 'RECEIPT#00004#METADATA' },
  GSI1PK: { S: 'MERCHANT#CORNER_SHOP' },
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
  canonical_merchant_name: { NULL: true },
  canonical_address: { NULL: true },
  canonical_phone_number: { NULL: true },
};

describe('receipt metadata item', () => {
  it('round-trips metadata with every field set (matched fields as a set)', () => {
    const read = fromReceiptMetadataItem(toReceiptMetadataItem(full));
    expect({ ...read, matchedFields: [...read.matchedFields].sort() }).toEqual({
      ...full,
      matchedFields: ['name', 'phone'],
    });
  });

  it('reads metadata as the Python services write it: no matched_fields reads as []', () => {
    expect(fromReceiptMetadataItem(pythonMetadata)).toEqual({
      imageId: IMAGE,
      receiptId: 4,
      placeId: '',
      merchantName: 'Corner Shop',
      matchedFields: [],
      timestamp: '2026-11-29T12:00:00.123456+00:00',
      validationStatus: 'NO_MATCH',
    });
    expect(
      fromReceiptMetadataItem({ ...pythonMetadata, matched_fields: { NULL: true } }).matchedFields,
    ).toEqual([]);
  });

  it('keys GSI1 by the canonical name if any, else the merchant name, upper-case with `_` for spaces', () => {
    expect(merchantGsi1pk(full)).toBe('MERCHANT#BLUE_BOTTLE_COFFEE');
    expect(merchantGsi1pk({ merchantName: 'Blue Bottle', canonicalMerchantName: '' })).toBe(
      'MERCHANT#BLUE_BOTTLE',
    );
  });

  it.each([
    ['RECEIPT_METADATA.merchant_name', { merchant_name: { NULL: true } }],
    ['RECEIPT_METADATA.validation_status', { validation_status: { S: 'PERHAPS' } }],
    ['RECEIPT_METADATA.validated_by', { validated_by: { S: 'GPT' } }],
    ['RECEIPT_METADATA.timestamp', { timestamp: { S: '2026-11-29 12:00' } }],
    ['RECEIPT_METADATA.matched_fields', { matched_fields: { NS: ['1'] } }],
    ['RECEIPT_METADATA.SK', { SK: { S: 'RECEIPT#00004#META' } }],
  ])('refuses a bad item naming %s', (field, patch) => {
    const read = () => fromReceiptMetadataItem({ ...pythonMetadata, ...patch });
    expect(read).toThrow(InvalidValueError);
    expect(read).toThrow(expect.objectContaining({ field }));
  });
});
