import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { describe, expect, it } from 'vitest';
import { InvalidUploadError, parseUpload } from './parse-upload.js';

const sample = SAMPLE_RECEIPTS[1];
if (!sample) throw new Error('no sample receipt');
const valid = {
  imageId: sample.imageId,
  receiptId: sample.receiptId,
  lines: sample.lines.map(({ imageId: _i, receiptId: _r, ...line }) => line),
  words: sample.words.map(({ imageId: _i, receiptId: _r, ...word }) => word),
  metadata: sample.metadata,
};

const problemsOf = (event: unknown): readonly string[] => {
  try {
    parseUpload(event);
  } catch (error) {
    if (error instanceof InvalidUploadError) return error.problems;
    throw error;
  }
  throw new Error('expected the upload to be refused');
};

describe('parseUpload', () => {
  it('accepts an OCR result and stamps every item with the receipt', () => {
    const upload = parseUpload(valid);
    expect(upload.receipt).toEqual({ imageId: sample.imageId, receiptId: sample.receiptId });
    expect(upload.lines).toHaveLength(sample.lines.length);
    expect(upload.words.every((word) => word.imageId === sample.imageId)).toBe(true);
    expect(upload.metadata?.merchantName).toBe(sample.metadata.merchantName);
  });

  it('refuses a bad receipt reference before looking further', () => {
    expect(problemsOf({ ...valid, imageId: 'nope', receiptId: 0 })).toEqual([
      'image_id: expected a UUID of version 4 or 5, got "nope"',
    ]);
    expect(problemsOf(null)).toEqual(['the event must be an object']);
    expect(problemsOf({ ...valid, lines: [] })).toEqual(['lines: expected a non-empty list']);
  });

  it('lists every bad item at once, naming where it is', () => {
    const [first, second] = valid.words;
    const problems = problemsOf({
      ...valid,
      lines: [{ ...valid.lines[0], confidence: 2 }, ...valid.lines.slice(1)],
      words: [first, first, { ...second, lineId: 999 }, { ...second, wordId: 77, text: 5 }],
      metadata: { ...valid.metadata, merchantName: '' },
    });
    expect(problems).toEqual([
      'lines[0]: RECEIPT_LINE.confidence: expected a number in (0, 1], got 2',
      'words[3]: RECEIPT_WORD.text: expected a string, got 5',
      'metadata: RECEIPT_PLACE.merchant_name: expected a name with at least one letter or digit, got ""',
      `words: word ${first?.lineId}/${first?.wordId} appears twice`,
      `words: word 999/${second?.wordId} is on line 999, which is not in lines`,
    ]);
  });

  it('refuses extracted data that is not a map of strings, naming the word', () => {
    const [word] = valid.words;
    const problems = problemsOf({
      ...valid,
      words: [{ ...word, extractedData: { type: 'price', value: 4.5 } }, ...valid.words.slice(1)],
    });
    expect(problems).toEqual([
      `words[0]: RECEIPT_WORD.extracted_data.value: word ${word?.lineId}/${word?.wordId} (${JSON.stringify(word?.text)}): expected a string, got 4.5`,
    ]);
  });
});

describe('parseUpload, entry by entry', () => {
  it('refuses every entry of a list that is not an object, a hole of a sparse list included, without a TypeError', () => {
    const lines: unknown[] = [...valid.lines, null, 7, ['a']];
    lines[valid.lines.length + 4] = valid.lines[0];
    const problems = problemsOf({ ...valid, lines, words: [undefined, ...valid.words], metadata: 'shop' });
    expect(problems).toEqual(['metadata: expected an object, got "shop"']);
    expect(problemsOf({ ...valid, lines, words: [undefined, ...valid.words] })).toEqual(
      expect.arrayContaining([
        `lines[${valid.lines.length}]: expected an object, got null`,
        `lines[${valid.lines.length + 1}]: expected an object, got 7`,
        `lines[${valid.lines.length + 2}]: expected an object, got a list`,
        `lines[${valid.lines.length + 3}]: expected an object, got nothing`,
        'words[0]: expected an object, got nothing',
      ]),
    );
  });
});
