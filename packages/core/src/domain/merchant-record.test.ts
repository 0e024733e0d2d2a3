import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { sampleMetadata } from '../testing/contracts/contract-fixtures.js';
import { correctionChanges, correctMerchantRecord, isOtherBusiness } from './merchant-correction.js';
import {
  merchantSlug,
  PLACE_DERIVED_FIELDS,
  parseMerchantRecordChange,
  sameMerchantRecord,
} from './merchant-record.js';

const receipt = { imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', receiptId: 1 };
const record = sampleMetadata(receipt);
const context = { at: '2026-12-01T08:00:00.000Z', reasoning: 'the receipt prints another store' };

describe('merchantSlug', () => {
  it('upper-cases and turns every run outside A-Z and 0-9 into one _, trimmed at both ends', () => {
    expect(merchantSlug("Joe's #1")).toBe('JOE_S_1');
    expect(merchantSlug('Café')).toBe('CAF');
    expect(merchantSlug('  Sunnyside   Market  ')).toBe('SUNNYSIDE_MARKET');
    expect(merchantSlug('7-Eleven')).toBe('7_ELEVEN');
    expect(merchantSlug('#!?')).toBe('');
  });
});

describe('sameMerchantRecord and parseMerchantRecordChange', () => {
  it('compares lists as sets and maps by content', () => {
    const reordered = {
      ...record,
      matchedFields: [...record.matchedFields].reverse(),
      addressComponents: Object.fromEntries(Object.entries(record.addressComponents ?? {}).reverse()),
    };
    expect(sameMerchantRecord(record, reordered)).toBe(true);
    expect(sameMerchantRecord(record, { ...record, matchedFields: ['name'] })).toBe(false);
  });

  it('refuses a change that changes nothing or names another receipt', () => {
    expect(() => parseMerchantRecordChange(record, { ...record })).toThrow(InvalidValueError);
    expect(() => parseMerchantRecordChange(record, { ...record, receiptId: 2 })).toThrow('keep the receipt');
    expect(parseMerchantRecordChange(record, { ...record, reasoning: 'x' }).reasoning).toBe('x');
  });
});

describe('correctMerchantRecord', () => {
  it('keeps only correctable, non-blank values that differ from the record', () => {
    const sneaky = { merchantCategory: 'bar', receiptId: 9 } as unknown as Record<string, never>;
    expect(
      correctionChanges(record, {
        merchantName: record.merchantName,
        phoneNumber: ' ',
        address: '9 Elm Road',
        ...sneaky,
      }),
    ).toEqual({ address: '9 Elm Road' });
  });

  it('within the same business: sets the corrected fields, INFERENCE, the reasoning and the time, and keeps the place', () => {
    const corrected = correctMerchantRecord(record, { phoneNumber: '(805) 555-1234' }, context);
    expect(corrected).toEqual({
      ...record,
      phoneNumber: '(805) 555-1234',
      validatedBy: 'INFERENCE',
      reasoning: context.reasoning,
      timestamp: context.at,
    });
    // Case and punctuation alone do not make another business.
    expect(isOtherBusiness(record, 'CONTRACT-COFFEE')).toBe(false);
    expect(correctMerchantRecord(record, { merchantName: 'CONTRACT COFFEE' }, context).placeId).toBe(
      record.placeId,
    );
  });

  it('for another business: clears every place-derived field and the place, then sets what the receipt prints', () => {
    const corrected = correctMerchantRecord(
      record,
      { merchantName: 'Corner Bakery', address: '9 Elm Road' },
      context,
    );
    expect(corrected).toEqual({
      imageId: record.imageId,
      receiptId: record.receiptId,
      merchantName: 'Corner Bakery',
      address: '9 Elm Road',
      placeId: '',
      confidence: 0,
      validationStatus: 'NO_MATCH',
      matchedFields: [],
      merchantTypes: [],
      hoursSummary: [],
      photoReferences: [],
      validatedBy: 'INFERENCE',
      reasoning: context.reasoning,
      timestamp: context.at,
    });
    for (const field of PLACE_DERIVED_FIELDS) {
      if (field !== 'address') expect(corrected[field] ?? [], field).toEqual([]);
    }
  });

  it('refuses a correction that changes nothing and a value the record cannot hold', () => {
    expect(() => correctMerchantRecord(record, { merchantName: record.merchantName }, context)).toThrow(
      'changes nothing',
    );
    expect(() => correctMerchantRecord(record, { merchantName: '???' }, context)).toThrow('merchant_name');
    expect(() => correctMerchantRecord(record, { address: 'x' }, { ...context, at: 'soon' })).toThrow(
      'timestamp',
    );
  });
});
