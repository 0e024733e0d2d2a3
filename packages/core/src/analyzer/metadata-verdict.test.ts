import { describe, expect, it } from 'vitest';
import { analyzeText, testMetadata } from './analyzer.test-support.js';
import { judgeMetadata } from './metadata-verdict.js';

const PHARMACY = [
  'CORNERSTONE PHARMACY',
  '415 Elm Street, Suite 2',
  'Columbus, OH 43215',
  'Phone: (614) 555-0120',
  'ADVIL 200MG     9.99',
  'TOTAL           9.99',
];

describe('metadata verdict', () => {
  it('matches when name, phone and address agree, however formatted', async () => {
    const { analysis } = await analyzeText(
      PHARMACY,
      testMetadata({
        merchantName: 'Cornerstone Pharmacy',
        phoneNumber: '+1 614-555-0120',
        address: '415 Elm St Ste 2, Columbus, OH 43215, USA',
      }),
    );
    expect(analysis.metadata).toMatchObject({ matches: true, corrections: {} });
    expect(analysis.metadata?.reasoning).toMatch(/digits match/);
  });

  it('corrects a merchant name the header contradicts, to the header as printed', async () => {
    const { analysis } = await analyzeText(PHARMACY, testMetadata({ merchantName: 'Maple Drug Co' }));
    expect(analysis.metadata).toMatchObject({
      matches: false,
      corrections: { merchantName: 'CORNERSTONE PHARMACY' },
    });
    expect(analysis.metadata?.reasoning).toMatch(
      /merchantName "Maple Drug Co" vs header "CORNERSTONE PHARMACY" \(similarity 0\.\d\d\)/,
    );
  });

  it('compares phones by digits and corrects only the phone when only the phone differs', async () => {
    const { analysis } = await analyzeText(
      PHARMACY,
      testMetadata({ merchantName: 'Cornerstone Pharmacy', phoneNumber: '614.555.0121' }),
    );
    expect(analysis.metadata).toMatchObject({
      matches: false,
      corrections: { phoneNumber: '(614) 555-0120' },
    });
    expect(Object.keys(analysis.metadata?.corrections ?? {})).toEqual(['phoneNumber']);
  });

  it('corrects an address with another street number to the address as printed', async () => {
    const { analysis } = await analyzeText(
      PHARMACY,
      testMetadata({ merchantName: 'Cornerstone Pharmacy', address: '88 Maple Ave, Columbus, OH 43201' }),
    );
    expect(analysis.metadata?.corrections).toEqual({
      address: '415 Elm Street, Suite 2, Columbus, OH 43215',
    });
  });

  it('matches when the receipt does not say enough to decide', async () => {
    const { analysis } = await analyzeText(
      ['Store #0871', 'DINE IN', 'BURGER        5.00', 'TOTAL         5.00'],
      testMetadata({
        merchantName: 'Burger Barn',
        phoneNumber: '(216) 555-0109',
        address: '4410 Ridge Rd, Cleveland',
      }),
    );
    expect(analysis.metadata).toMatchObject({ matches: true, corrections: {} });
    expect(analysis.metadata?.reasoning).toMatch(/no name printed above the address or phone/);
    expect(analysis.metadata?.reasoning).toMatch(/no phone number on the receipt/);
    expect(analysis.metadata?.reasoning).toMatch(/no address on the receipt/);
  });

  it('does not correct the name from a line that does not head the address or phone', async () => {
    const { analysis, wordsWith } = await analyzeText(
      ['FRESH BAKES TODAY', 'BREAD        5.00', 'TOTAL        5.00'],
      testMetadata({ merchantName: 'Corner Bakery' }),
    );
    expect(wordsWith('MERCHANT_NAME')).toEqual(['FRESH', 'BAKES', 'TODAY']);
    expect(analysis.metadata).toMatchObject({ matches: true, corrections: {} });
  });

  it('takes a name found in a web address or a footer as agreement', () => {
    const base = { phones: [], lineTexts: ['DINE IN'], websites: ['burgerbarn.com/survey'] };
    expect(judgeMetadata(testMetadata({ merchantName: 'Burger Barn' }), base).matches).toBe(true);
    const footer = {
      phones: [],
      merchantName: 'WELCOME',
      lineTexts: ['Thanks for visiting Burger Barn!'],
      websites: [],
    };
    expect(judgeMetadata(testMetadata({ merchantName: 'Burger Barn' }), footer).matches).toBe(true);
  });

  it('never corrects a field to a value the receipt does not contain', async () => {
    const { analysis } = await analyzeText(
      PHARMACY,
      testMetadata({
        merchantName: 'Maple Drug Co',
        phoneNumber: '(614) 555-0177',
        address: '88 Maple Ave, Columbus',
      }),
    );
    const receiptText = PHARMACY.join(' ');
    const corrections = Object.values(analysis.metadata?.corrections ?? {}) as string[];
    expect(corrections).toHaveLength(3);
    for (const value of corrections) {
      for (const part of value.split(', ')) expect(receiptText).toContain(part);
    }
  });
});
