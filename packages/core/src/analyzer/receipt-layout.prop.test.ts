import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withOcrDigits } from './receipt-layout.js';

type Normalizer = (text: string) => string;

// Receipt-like words: digits, the letters O and o among others, and the punctuation of dates and amounts.
const word = fc.string({
  unit: fc.constantFrom(...'0123456789OoOABLMX./-:$#'.split('')),
  minLength: 1,
  maxLength: 10,
});

// Offsets of words in their line are computed once: the normalised text must keep every character's place, and
// only ever turn a letter O into a zero.
const keepsPlaces = (normalize: Normalizer) =>
  fc.property(word, (text) => {
    const out = normalize(text);
    return (
      out.length === text.length &&
      [...out].every((char, i) => char === text[i] || (char === '0' && /o/i.test(text[i] ?? '')))
    );
  });

// A word without a digit is not a number misread: "BOGO", "OZ" stay as they are.
const leavesWordsAlone = (normalize: Normalizer) =>
  fc.property(word, (text) => /\d/.test(text) || normalize(text) === text);

// Normalising twice changes nothing more.
const isStable = (normalize: Normalizer) =>
  fc.property(word, (text) => normalize(normalize(text)) === normalize(text));

const PROPERTIES = { keepsPlaces, leavesWordsAlone, isStable };

// Deliberately wrong normalisers, each of which one of the properties must catch.
const BROKEN: ReadonlyArray<readonly [keyof typeof PROPERTIES, Normalizer]> = [
  ['keepsPlaces', (text) => text.replaceAll(/(?<=\d)O/g, '00')],
  ['leavesWordsAlone', (text) => text.replaceAll(/O/g, '0')],
  ['isStable', (text) => (text.includes('0') ? `${text.slice(1)}0` : withOcrDigits(text))],
];

describe('withOcrDigits (properties)', () => {
  it.each(Object.entries(PROPERTIES))('%s', (_, property) => {
    fc.assert(property(withOcrDigits), { numRuns: 500 });
  });

  it.each(BROKEN)('catches a normaliser that breaks %s', (name, broken) => {
    expect(fc.check(PROPERTIES[name](broken), { numRuns: 500 }).failed).toBe(true);
  });
});
