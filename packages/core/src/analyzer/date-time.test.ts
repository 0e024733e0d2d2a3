import { describe, expect, it } from 'vitest';
import { analyzeText } from './analyzer.test-support.js';

describe('dates', () => {
  it.each([
    ['11/29/2026', ['11/29/2026']],
    ['11-29-26', ['11-29-26']],
    ['2026-11-29', ['2026-11-29']],
    ['29/11/2026', ['29/11/2026']],
    ['Nov 29 2026', ['Nov', '29', '2026']],
    ['Nov 29, 2026', ['Nov', '29,', '2026']],
    ['Sat, Nov 29, 2026', ['Sat,', 'Nov', '29,', '2026']],
    ['November 29th, 2026', ['November', '29th,', '2026']],
    ['29 NOV 26', ['29', 'NOV', '26']],
    ['29-NOV-2026', ['29-NOV-2026']],
    ['DATE:11/29/2026', ['DATE:11/29/2026']],
    ['Sat 11/29/2026 1:33 PM', ['Sat', '11/29/2026']],
    ['2O26/11/29 09:42', ['2O26/11/29']],
    ['11/29/2O26', ['11/29/2O26']],
  ])('labels %s', async (line, expected) => {
    const { wordsWith } = await analyzeText(['SOME STORE', line]);
    expect(wordsWith('DATE')).toEqual(expected);
  });

  it.each(['13/45/2026', '555-0142', 'NOV 2026', '1-1/4"', 'TC# 4417 0921'])(
    'does not label %s',
    async (line) => {
      const { wordsWith } = await analyzeText(['SOME STORE', line]);
      expect(wordsWith('DATE')).toEqual([]);
    },
  );
});

describe('times', () => {
  it.each([
    ['12:34', ['12:34']],
    ['12:34:56', ['12:34:56']],
    ['12:34 PM', ['12:34', 'PM']],
    ['1:05pm', ['1:05pm']],
    ['7:52 P.M.', ['7:52', 'P.M.']],
    ['11/29/2026 10:42 AM', ['10:42', 'AM']],
  ])('labels %s', async (line, expected) => {
    const { wordsWith } = await analyzeText(['SOME STORE', line]);
    expect(wordsWith('TIME')).toEqual(expected);
  });

  it.each([
    ['25:10', []],
    ['12:75', []],
    ['13:05 PM', []],
    ['12:30 PAID', ['12:30']],
  ])('reads %s as %j', async (line, expected) => {
    const { wordsWith } = await analyzeText(['SOME STORE', line]);
    expect(wordsWith('TIME')).toEqual(expected);
  });
});
