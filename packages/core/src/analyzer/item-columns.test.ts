import { describe, expect, it } from 'vitest';
import { buildReceipt } from '../testing/fixtures/build-receipt.js';
import { TEST_IMAGE_ID } from './analyzer.test-support.js';
import { numericColumnOf, readColumnHeader } from './item-columns.js';
import { layoutReceipt } from './receipt-layout.js';

function layout(lines: string[]) {
  return layoutReceipt(buildReceipt({ imageId: TEST_IMAGE_ID, receiptId: 1, lines }).words);
}

describe('item column headers', () => {
  it.each([
    'SKU       DESCRIPTION         QTY  AMOUNT',
    'LN PART#  DESCRIPTION   QTY  PRICE   EXT',
    'ITEM                    QTY   EACH  TOTAL',
  ])('reads %s as a header', (text) => {
    const [line] = layout([text]);
    expect(line && readColumnHeader(line)).toBeDefined();
  });

  it.each(['SUBTOTAL 12.00', 'ITEM QTY', 'SKU QTY AMOUNT', 'DESCRIPTION OF GOODS QTY TOTAL'])(
    'does not take %s for a header',
    (text) => {
      const [line] = layout([text]);
      expect(line && readColumnHeader(line)).toBeUndefined();
    },
  );

  it('puts a right-aligned number under the column whose header it overlaps', () => {
    const [header, item] = layout([
      'LN PART#        DESCRIPTION      QTY  PRICE    EXT',
      '1  PH7317       OIL FILTER         1   9.49   9.49',
    ]);
    const columns = header && readColumnHeader(header);
    if (!columns || !item) throw new Error('no header');
    const kinds = item.words.map((word) => numericColumnOf(columns, word));
    expect(kinds).toEqual(['CODE', 'CODE', undefined, undefined, 'QUANTITY', 'UNIT_PRICE', 'TOTAL']);
  });
});
