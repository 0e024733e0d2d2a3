import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertProperty } from '../fast-check-seeds.test-support.js';
import {
  comparisonTokens,
  levenshteinDistance,
  levenshteinRatio,
  phoneDigits,
  textSimilarity,
  tokenContainment,
  tokenSetSimilarity,
} from './similarity.js';

describe('similarity', () => {
  it('tokenises into upper-case alphanumerics, dropping apostrophes and stop words', () => {
    expect(comparisonTokens("Trader Joe's #123")).toEqual(['TRADER', 'JOES', '123']);
    expect(comparisonTokens('The Home Depot')).toEqual(['HOME', 'DEPOT']);
  });

  it('computes the Levenshtein distance and ratio', () => {
    expect(levenshteinDistance('KITTEN', 'SITTING')).toBe(3);
    expect(levenshteinRatio('KROGER', 'KROGER')).toBe(1);
    expect(levenshteinRatio('KROGER', 'KR0GER')).toBeCloseTo(5 / 6);
    expect(levenshteinRatio('', '')).toBe(1);
  });

  it('treats case, punctuation, word order and extra words on one side as near-equal', () => {
    expect(textSimilarity('CVS/pharmacy', 'CVS Pharmacy')).toBe(1);
    expect(textSimilarity("TRADER JOE'S", "Trader Joe's")).toBe(1);
    expect(tokenSetSimilarity('KROGER', 'Kroger Fuel Center')).toBe(1);
    expect(tokenSetSimilarity('Market Sunnyside', 'SUNNYSIDE MARKET')).toBe(1);
  });

  it('scores different merchants low', () => {
    expect(textSimilarity('Maple Drug Co', 'CORNERSTONE PHARMACY')).toBeLessThan(0.4);
    expect(textSimilarity('The Home Depot', 'The Olive Garden')).toBeLessThan(0.5);
  });

  it('measures how much of a name a text contains', () => {
    expect(tokenContainment('Bean & Leaf Coffee', 'Thank you for visiting Bean & Leaf Coffee!')).toBe(1);
    expect(tokenContainment('Blue Bottle Coffee', 'Drip Coffee 2.95')).toBeCloseTo(1 / 3);
    expect(tokenContainment('', 'anything')).toBe(0);
  });

  it('compares phones by digits without the country code', () => {
    expect(phoneDigits('+1 (206) 555-0187')).toBe('2065550187');
    expect(phoneDigits('206.555.0187')).toBe('2065550187');
  });

  it('is symmetric and within [0, 1], and 1 on equal texts', async () => {
    await assertProperty(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const ab = textSimilarity(a, b);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(1);
        expect(ab).toBeCloseTo(textSimilarity(b, a), 10);
        expect(textSimilarity(a, a)).toBe(1);
      }),
    );
  });
});
