import { describe, expect, it } from 'vitest';
import { buildReceipt } from '../testing/fixtures/build-receipt.js';
import { TEST_IMAGE_ID } from './analyzer.test-support.js';
import { layoutReceipt, withOcrDigits } from './receipt-layout.js';

describe('withOcrDigits', () => {
  it.each([
    ['1O45', '1045'],
    ['946O7', '94607'],
    ['2O26/11/29', '2026/11/29'],
    ['11/29/2o26', '11/29/2026'],
    ['O9:42', '09:42'],
  ])('reads the letter O inside a number as a zero: %s', (text, expected) => {
    expect(withOcrDigits(text)).toBe(expected);
  });

  it.each(['BOGO', '10OZ', 'O', 'NO.', 'MO1', '1O.99', '$1O', 'OAK'])('leaves %s alone', (text) => {
    expect(withOcrDigits(text)).toBe(text);
  });
});

describe('layoutReceipt', () => {
  it('places words in character columns, whatever the image width', () => {
    const built = buildReceipt({
      imageId: TEST_IMAGE_ID,
      receiptId: 1,
      lines: ['SKU       DESCRIPTION', '40881213  WOOL BLEND', '          HEATHER GREY'],
    });
    const [, item, continued] = layoutReceipt(built.words);
    expect(item?.words[1]?.left).toBeCloseTo(continued?.words[0]?.left ?? 0, 5);
    expect(item?.words[1]?.left).toBeCloseTo((item?.words[0]?.left ?? 0) + 10, 5);
    expect(item?.words[0]?.right).toBeCloseTo((item?.words[0]?.left ?? 0) + 8, 5);
  });

  it('matches patterns on the normalised text but keeps what the OCR read', () => {
    const built = buildReceipt({ imageId: TEST_IMAGE_ID, receiptId: 1, lines: ['3O8 8th St'] });
    const [line] = layoutReceipt(built.words);
    expect(line?.upper).toBe('308 8TH ST');
    expect(line?.text).toBe('3O8 8th St');
  });
});
