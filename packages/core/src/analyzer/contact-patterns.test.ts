import { describe, expect, it } from 'vitest';
import { analyzeText, testMetadata } from './analyzer.test-support.js';

describe('phone numbers', () => {
  it.each([
    ['(555) 123-4567', ['(555)', '123-4567']],
    ['555-123-4567', ['555-123-4567']],
    ['555.123.4567', ['555.123.4567']],
    ['Tel: 555-123-4567', ['555-123-4567']],
    ['+1 555 123-4567', ['+1', '555', '123-4567']],
    ['PHONE 5551234567', ['5551234567']],
    ['303 555 0174', ['303', '555', '0174']],
    ['Tel 206 555 0192', ['206', '555', '0192']],
    ['(802) 555 0143', ['(802)', '555', '0143']],
    [
      ['(555)', '123-', '4567'],
      ['(555)', '123-', '4567'],
    ],
  ])('labels every word of %s', async (line, expected) => {
    const { wordsWith } = await analyzeText(['SOME STORE', line]);
    expect(wordsWith('PHONE_NUMBER')).toEqual(expected);
  });

  it('compares a phone with a letter O for a zero by its digits', async () => {
    const { wordsWith, analysis } = await analyzeText(
      ['SOME STORE', '(5O3) 555-0186'],
      testMetadata({ merchantName: 'Some Store', phoneNumber: '503-555-0186' }),
    );
    expect(wordsWith('PHONE_NUMBER')).toEqual(['(5O3)', '555-0186']);
    expect(analysis.metadata).toMatchObject({ matches: true });
  });

  it.each([
    '5551234567',
    'TC# 4417 0921 5530 6612',
    '12.345.6789.0',
    'AUTH 123-4567',
    'STAR REWARDS 6012 4471 0093',
    'ORDER 12 TERM 555 123 4567',
  ])('does not take %s for a phone', async (line) => {
    const { wordsWith } = await analyzeText(['SOME STORE', line]);
    expect(wordsWith('PHONE_NUMBER')).toEqual([]);
  });
});

describe('websites', () => {
  it.each([
    ['www.sunnysidemarket.com', ['www.sunnysidemarket.com']],
    ['Visit us at example.com/survey today', ['example.com/survey']],
    ['https://junipergrocer.com/r/123', ['https://junipergrocer.com/r/123']],
    ['SHOP.EXAMPLE.NET', ['SHOP.EXAMPLE.NET']],
    ['lanterncafe.square.site', ['lanterncafe.square.site']],
  ])('labels %s', async (line, expected) => {
    const { wordsWith } = await analyzeText(['SOME STORE', line]);
    expect(wordsWith('WEBSITE')).toEqual(expected);
  });

  it.each(['help@example.com', 'TOTAL 12.34', 'ST. LOUIS'])('does not label %s', async (line) => {
    const { wordsWith } = await analyzeText(['SOME STORE', line]);
    expect(wordsWith('WEBSITE')).toEqual([]);
  });
});

describe('store hours', () => {
  it.each([
    ['STORE HOURS 7AM-10PM DAILY', ['7AM-10PM', 'DAILY']],
    ['OPEN 24 HOURS', ['24', 'HOURS']],
    ['Hours: Mon-Fri 9am - 9pm', ['Mon-Fri', '9am', '-', '9pm']],
    ['Sat-Sun 9am-6pm', ['Sat-Sun', '9am-6pm']],
    ['Open Mon-Sun 8:00AM-9:00PM', ['Mon-Sun', '8:00AM-9:00PM']],
  ])('labels the hours of %s', async (line, expected) => {
    const { wordsWith } = await analyzeText(['SOME STORE', line]);
    expect(wordsWith('STORE_HOURS')).toEqual(expected);
  });

  it('leaves a plain date and time to DATE and TIME', async () => {
    const { wordsWith } = await analyzeText(['SOME STORE', '11/29/2026 10:42 AM']);
    expect(wordsWith('STORE_HOURS')).toEqual([]);
    expect(wordsWith('TIME')).toEqual(['10:42', 'AM']);
  });
});
