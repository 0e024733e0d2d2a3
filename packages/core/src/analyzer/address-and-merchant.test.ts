import { describe, expect, it } from 'vitest';
import { analyzeText, testMetadata } from './analyzer.test-support.js';

describe('address lines', () => {
  it('labels every word of street, suite and city lines', async () => {
    const { wordsWith } = await analyzeText([
      'CORNERSTONE PHARMACY',
      '415 Elm Street',
      'Suite 2',
      'Columbus, OH 43215',
      '(614) 555-0120',
    ]);
    expect(wordsWith('ADDRESS_LINE')).toEqual([
      '415',
      'Elm',
      'Street',
      'Suite',
      '2',
      'Columbus,',
      'OH',
      '43215',
    ]);
  });

  it.each([
    ['1450 W CHESTNUT ST', 4],
    ['3100 US HWY 80 E', 5],
    ['2200 Bayshore Blvd, Tampa, FL 33629', 6],
    ['Portland OR 97209-1234', 3],
    ['88 Harbor Ave.', 3],
    ['Aurora, Colorado 80012', 3],
    ['New Haven, Connecticut 06510', 4],
    ['1O45 GRANT AVE', 3],
    ['Oakland, CA 946O7', 3],
  ])('recognises %s', async (line, count) => {
    const { wordsWith } = await analyzeText(['SOME STORE', line]);
    expect(wordsWith('ADDRESS_LINE')).toHaveLength(count);
  });

  it('leaves the phone keyword and number of a city line out of the address', async () => {
    const { wordsWith } = await analyzeText(['SOME STORE', '12 MAIN ST', 'SALEM, OR 97301 TEL 503-555-0100']);
    expect(wordsWith('ADDRESS_LINE')).toEqual(['12', 'MAIN', 'ST', 'SALEM,', 'OR', '97301']);
    expect(wordsWith('PHONE_NUMBER')).toEqual(['503-555-0100']);
  });

  it('takes a numbered street without a suffix only right above a city line', async () => {
    const above = await analyzeText(['SOME STORE', '2716 N Broadway', 'Knoxville, Tennessee 37917']);
    const alone = await analyzeText(['SOME STORE', '2716 N Broadway', 'OPEN DAILY']);
    expect(above.wordsWith('ADDRESS_LINE')).toEqual([
      '2716',
      'N',
      'Broadway',
      'Knoxville,',
      'Tennessee',
      '37917',
    ]);
    expect(alone.wordsWith('ADDRESS_LINE')).toEqual([]);
  });

  it("reports the address with the OCR's letter O inside numbers read as a zero", async () => {
    const { analysis } = await analyzeText(
      ['FRESHWAY FOODS', '1O45 GRANT AVE', 'SAN FRANCISCO CA 941O8'],
      testMetadata({ merchantName: 'FreshWay Foods', address: '1045 Grant Ave, San Francisco, CA 94108' }),
    );
    expect(analysis.metadata).toMatchObject({ matches: true, corrections: {} });
    expect(analysis.metadata?.reasoning).toContain('1045 GRANT AVE, SAN FRANCISCO CA 94108');
  });

  it.each(['2 DR PEPPER     3.99', 'HAVE A NICE DAY, OK', 'Table 12 Server Ann'])(
    'does not take %s for an address',
    async (line) => {
      const { wordsWith } = await analyzeText(['SOME STORE', line]);
      expect(wordsWith('ADDRESS_LINE')).toEqual([]);
    },
  );
});

describe('merchant name', () => {
  it('labels the first header line that is not a greeting, store number or contact line', async () => {
    const { wordsWith } = await analyzeText([
      'WELCOME TO',
      'QUICKFUEL #0452',
      '3100 US HWY 80 E',
      'MESQUITE, TX 75149',
    ]);
    expect(wordsWith('MERCHANT_NAME')).toEqual(['QUICKFUEL']);
  });

  it('strips a greeting on the same line', async () => {
    const { wordsWith } = await analyzeText(['WELCOME TO HARBOR GRILL', '2200 Bayshore Blvd']);
    expect(wordsWith('MERCHANT_NAME')).toEqual(['HARBOR', 'GRILL']);
  });

  it('prefers the header line matching the metadata name', async () => {
    const { wordsWith } = await analyzeText(
      ['FUEL & FOOD', 'QUICK STOP MARKET', '12 MAIN ST'],
      testMetadata({ merchantName: 'Quick Stop Market' }),
    );
    expect(wordsWith('MERCHANT_NAME')).toEqual(['QUICK', 'STOP', 'MARKET']);
  });

  it('labels the name again where a later line repeats it, without the words around it', async () => {
    const { wordsWith } = await analyzeText([
      'SUNNYSIDE MARKET',
      '1450 W CHESTNUT ST',
      'BREAD   2.99',
      'TOTAL   2.99',
      'THANK YOU FOR SHOPPING AT SUNNYSIDE MARKET',
      'SUNNYSIDE REWARDS # ****5521',
    ]);
    expect(wordsWith('MERCHANT_NAME')).toEqual(['SUNNYSIDE', 'MARKET', 'SUNNYSIDE', 'MARKET']);
  });

  it('finds no name when the header starts with the address (the name is in a logo)', async () => {
    const { wordsWith } = await analyzeText([
      'Store #0871',
      '4410 Ridge Rd',
      'Cleveland, OH 44144',
      'DINE IN',
    ]);
    expect(wordsWith('MERCHANT_NAME')).toEqual([]);
  });
});
