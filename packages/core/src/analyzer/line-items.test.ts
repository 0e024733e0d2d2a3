import { describe, expect, it } from 'vitest';
import { analyzeText } from './analyzer.test-support.js';

async function itemLabels(itemLines: ReadonlyArray<string | readonly string[]>) {
  return analyzeText(['SOME STORE', ...itemLines, 'SUBTOTAL 99.99', 'TAX 0.01', 'TOTAL 100.00']);
}

describe('line items', () => {
  it('labels product words and the line total, not codes or tax flags', async () => {
    const { wordsWith } = await itemLabels(['012871544210 DEWALT 20V DRILL <A>   129.00 T']);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['DEWALT', '20V', 'DRILL']);
    expect(wordsWith('LINE_TOTAL')).toEqual(['129.00']);
  });

  it.each([
    ['2 Fish Tacos   25.98', ['2'], [], ['Fish', 'Tacos']],
    ['Clam Chowder x2   15.90', ['x2'], [], ['Clam', 'Chowder']],
    ['2x Bagel   5.00', ['2x'], [], ['Bagel']],
    ['2 x Croissant   7.00', ['2'], [], ['Croissant']],
    ['COUGH DROPS 30CT 2 @ 2.49   4.98', ['2'], ['2.49'], ['COUGH', 'DROPS', '30CT']],
    ['2 Apple Pie @ 1.29   2.58', ['2'], ['1.29'], ['Apple', 'Pie']],
    ['COLA  2 @ $1.99   3.98', ['2'], ['$1.99'], ['COLA']],
    ['SODA  QTY 3   1.50 EA   4.50', ['3'], ['1.50'], ['SODA']],
    ['2 LITER COLA   2.49', [], [], ['2', 'LITER', 'COLA']],
    ['CHEERIOS 18 OZ   4.99', [], [], ['CHEERIOS', '18', 'OZ']],
  ])('reads %s', async (line, quantities, unitPrices, product) => {
    const { wordsWith } = await itemLabels([line]);
    expect(wordsWith('QUANTITY')).toEqual(quantities);
    expect(wordsWith('UNIT_PRICE')).toEqual(unitPrices);
    expect(wordsWith('PRODUCT_NAME')).toEqual(product);
    expect(wordsWith('LINE_TOTAL')).toHaveLength(1);
  });

  it('keeps symbols inside a name, drops them at its ends, and drops a flag before an item code', async () => {
    const { wordsWith } = await itemLabels([
      'Chips & Salsa   2.50',
      '  + Guac   1.75',
      'E 1234567 ORG EGGS 24CT   7.99 E',
    ]);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['Chips', '&', 'Salsa', 'Guac', 'ORG', 'EGGS', '24CT']);
  });

  it('takes the product name from the line above a weighed or counted line', async () => {
    const { wordsWith } = await itemLabels([
      'BANANAS',
      '2.31 lb @ 0.59 /lb   1.36 F',
      'UNLEADED',
      '14.206 GAL @ 2.899/GAL  41.18',
    ]);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['BANANAS', 'UNLEADED']);
    expect(wordsWith('QUANTITY')).toEqual(['2.31', '14.206']);
    expect(wordsWith('UNIT_PRICE')).toEqual(['0.59', '2.899/GAL']);
    expect(wordsWith('LINE_TOTAL')).toEqual(['1.36', '41.18']);
  });

  it('labels "n @ price" under an item without taking a register line for a product', async () => {
    const { wordsWith } = await itemLabels(['CASHIER: ANN', 'GREEK YOGURT   2.50', '  2 @ 1.25', '  3@2.99']);
    expect(wordsWith('QUANTITY')).toEqual(['2', '3@2.99']);
    expect(wordsWith('UNIT_PRICE')).toEqual(['1.25', '3@2.99']);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['GREEK', 'YOGURT']);
  });

  it('labels a returned item as a refund and a nameless negative as a discount', async () => {
    const { wordsWith } = await itemLabels(['RETURN HDMI CABLE 068113100911   12.88- X', 'SC   1.00-']);
    expect(wordsWith('REFUND')).toEqual(['12.88-']);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['HDMI', 'CABLE']);
    expect(wordsWith('DISCOUNT')).toEqual(['1.00-']);
  });

  it('reads payment and change words above the totals as part of an item name', async () => {
    const { wordsWith } = await itemLabels(['DISCOVER MAGAZINE   5.99', 'CHANGE PURSE   12.00']);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['DISCOVER', 'MAGAZINE', 'CHANGE', 'PURSE']);
    expect(wordsWith('LINE_TOTAL')).toEqual(['5.99', '12.00']);
    expect(wordsWith('CHANGE')).toEqual([]);
  });

  it('labels nothing below the totals as an item', async () => {
    const { wordsWith } = await itemLabels([]);
    const after = await analyzeText([
      'SOME STORE',
      'TOTAL 5.00',
      'GIFT RECEIPT 5.00',
      'SURVEY PRIZE 1000.00',
    ]);
    expect(wordsWith('LINE_TOTAL')).toEqual([]);
    expect(after.wordsWith('LINE_TOTAL')).toEqual([]);
    expect(after.wordsWith('PRODUCT_NAME')).toEqual([]);
  });
});
