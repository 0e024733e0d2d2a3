import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { IMAGE_ID, RUN_ID } from './compaction-world.test-support.js';
import { deltaPrefix, deltaPrefixes, lineVectorId, receiptVectorPrefix, wordVectorId } from './vector-ids.js';

describe('vector ids', () => {
  it('names lines and words as data-model.md does, with 5-digit padding', () => {
    expect(lineVectorId({ imageId: IMAGE_ID, receiptId: 1, lineId: 12 })).toBe(
      `IMAGE#${IMAGE_ID}#RECEIPT#00001#LINE#00012`,
    );
    expect(wordVectorId({ imageId: IMAGE_ID, receiptId: 1, lineId: 12, wordId: 0 })).toBe(
      `IMAGE#${IMAGE_ID}#RECEIPT#00001#LINE#00012#WORD#00000`,
    );
  });

  it('gives a receipt prefix that matches its own line and word ids and none of receipt 10', () => {
    const one = receiptVectorPrefix({ imageId: IMAGE_ID, receiptId: 1 });
    expect(one).toBe(`IMAGE#${IMAGE_ID}#RECEIPT#00001#`);
    const own = [
      lineVectorId({ imageId: IMAGE_ID, receiptId: 1, lineId: 0 }),
      wordVectorId({ imageId: IMAGE_ID, receiptId: 1, lineId: 99_999, wordId: 99_999 }),
    ];
    const others = [10, 100, 11, 2].flatMap((receiptId) => [
      lineVectorId({ imageId: IMAGE_ID, receiptId, lineId: 1 }),
      wordVectorId({ imageId: IMAGE_ID, receiptId, lineId: 1, wordId: 1 }),
    ]);
    expect(own.every((id) => id.startsWith(one))).toBe(true);
    expect(others.filter((id) => id.startsWith(one))).toEqual([]);
  });

  it('makes a whole word id the prefix of that word only', () => {
    const word = wordVectorId({ imageId: IMAGE_ID, receiptId: 1, lineId: 1, wordId: 1 });
    const neighbours = [10, 11, 100].map((wordId) =>
      wordVectorId({ imageId: IMAGE_ID, receiptId: 1, lineId: 1, wordId }),
    );
    expect(neighbours.filter((id) => id.startsWith(word))).toEqual([]);
  });

  it('lower-cases the image id as the domain parsers do, and refuses ids that do not fit the format', () => {
    expect(receiptVectorPrefix({ imageId: IMAGE_ID.toUpperCase(), receiptId: 1 })).toBe(
      `IMAGE#${IMAGE_ID}#RECEIPT#00001#`,
    );
    expect(() => receiptVectorPrefix({ imageId: IMAGE_ID, receiptId: 100_000 })).toThrow(InvalidValueError);
    expect(() => receiptVectorPrefix({ imageId: 'IMAGE#x', receiptId: 1 })).toThrow(InvalidValueError);
    expect(() => lineVectorId({ imageId: IMAGE_ID, receiptId: 1, lineId: -1 })).toThrow('line_id');
    expect(() => wordVectorId({ imageId: IMAGE_ID, receiptId: 1, lineId: 1, wordId: 1.5 })).toThrow(
      'word_id',
    );
  });

  it('puts each collection of each run under its own delta prefix', () => {
    const key = { imageId: IMAGE_ID, receiptId: 7, runId: RUN_ID };
    expect(deltaPrefix(key, 'lines')).toBe(`lines/delta/${RUN_ID}/`);
    expect(deltaPrefixes(key)).toEqual({
      linesDeltaPrefix: `lines/delta/${RUN_ID}/`,
      wordsDeltaPrefix: `words/delta/${RUN_ID}/`,
    });
    expect(() => deltaPrefix({ ...key, runId: '../../etc' }, 'words')).toThrow(InvalidValueError);
  });
});
