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

  it('reads quantity, unit price and name from the columns a header announces', async () => {
    const { wordsWith } = await itemLabels([
      'LN PART#        DESCRIPTION      QTY  PRICE    EXT',
      '1  MOB1-5W30-5Q MOBIL 1 5W-30 5QT  1  32.99  32.99',
      '4  WIPR-22      WIPER BLADE 22IN   2  14.99  29.98',
    ]);
    expect(wordsWith('QUANTITY')).toEqual(['1', '2']);
    expect(wordsWith('UNIT_PRICE')).toEqual(['32.99', '14.99']);
    expect(wordsWith('LINE_TOTAL')).toEqual(['32.99', '29.98']);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['MOBIL', '1', '5W-30', '5QT', 'WIPER', 'BLADE', '22IN']);
  });

  it('takes a count and a price before the total for what they are when they multiply to it', async () => {
    const counted = await itemLabels(['WIPER BLADE 22IN   2  14.99  29.98']);
    const sized = await itemLabels(['BOLTS M8 PACK 2   1.50   9.00']);
    expect(counted.wordsWith('QUANTITY')).toEqual(['2']);
    expect(counted.wordsWith('UNIT_PRICE')).toEqual(['14.99']);
    expect(sized.wordsWith('QUANTITY')).toEqual([]);
    expect(sized.wordsWith('UNIT_PRICE')).toEqual([]);
  });

  it('reads a unit price after "x" as after "@", with or without a unit', async () => {
    const { wordsWith } = await itemLabels([
      'BOK CHOY',
      '  2.5 lb x $1.49/lb            3.73',
      'FRESH TOFU FIRM  2 x 2.49      4.98',
    ]);
    expect(wordsWith('QUANTITY')).toEqual(['2.5', '2']);
    expect(wordsWith('UNIT_PRICE')).toEqual(['$1.49/lb', '2.49']);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['BOK', 'CHOY', 'FRESH', 'TOFU', 'FIRM']);
  });

  it('continues a name on the line under it, aligned with the name column', async () => {
    const { wordsWith } = await itemLabels([
      'SKU       DESCRIPTION         QTY  AMOUNT',
      '40881213  WOOL BLEND CARDIGAN   1   59.99',
      '          HEATHER GREY M',
      '          ORIG TRANS 0412-07-87920',
    ]);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['WOOL', 'BLEND', 'CARDIGAN', 'HEATHER', 'GREY', 'M']);
    expect(wordsWith('QUANTITY')).toEqual(['1']);
  });

  it('takes a line indented just under an item for a modifier, not a heading at the margin', async () => {
    const { wordsWith } = await itemLabels([
      'Latte 16 oz                    5.50',
      '  + Oat Milk                   0.75',
      '  Extra Hot',
      'ELECTRONICS',
      'USB CABLE                      9.88',
      'BANANAS',
      '2.31 lb @ 0.59 /lb             1.36',
    ]);
    expect(wordsWith('PRODUCT_NAME')).toEqual([
      'Latte',
      '16',
      'oz',
      'Oat',
      'Milk',
      'Extra',
      'Hot',
      'USB',
      'CABLE',
      'BANANAS',
    ]);
  });

  it('takes the name after an item code on the line above an item printed over two lines', async () => {
    const { wordsWith } = await itemLabels(['9781250178602 LITTLE BLUE TRUCK', '  BOARD BOOK     8.99']);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['LITTLE', 'BLUE', 'TRUCK', 'BOARD', 'BOOK']);
  });

  it('labels items with a negative amount under a RETURN heading as refunds, until an item is sold', async () => {
    const { wordsWith } = await itemLabels([
      '                RETURN',
      '40327755  LEATHER BELT   34.00-',
      'CREW SOCKS               17.98',
      'SC                        1.00-',
    ]);
    expect(wordsWith('REFUND')).toEqual(['34.00-']);
    expect(wordsWith('DISCOUNT')).toEqual(['1.00-']);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['LEATHER', 'BELT', 'CREW', 'SOCKS']);
  });

  it('continues a long name at the same left only when it ran up to its amount, skipping serial lines', async () => {
    const { wordsWith } = await itemLabels([
      '  SONY WH-1000XM5 WIRELESS    349.99',
      '  HEADPHONES BLACK',
      '  S/N: 5A1B2C3D4E',
      'PAPER TOWELS                  9.99',
      'CLEANING SUPPLIES',
      'DISH SOAP                     3.79',
    ]);
    expect(wordsWith('PRODUCT_NAME')).toEqual([
      'SONY',
      'WH-1000XM5',
      'WIRELESS',
      'HEADPHONES',
      'BLACK',
      'PAPER',
      'TOWELS',
      'DISH',
      'SOAP',
    ]);
  });

  it('takes a name over two lines for a nameless amount line, the second indented under the first', async () => {
    const { wordsWith } = await itemLabels(['Linen Wrap Dress', '  SAGE  M', '  RETURNED        -118.00']);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['Linen', 'Wrap', 'Dress', 'SAGE', 'M']);
    expect(wordsWith('REFUND')).toEqual(['-118.00']);
  });

  it('reads a count before a size, a year opening a name, and a pump number before a fuel', async () => {
    const { wordsWith } = await itemLabels([
      '1  2 LITER COKE                3.49',
      '2024 NAPA CAB SAUV 750ML',
      '   6 @ 28.00                 168.00',
      '4011 BANANAS                   1.36',
      'Pump 12  Diesel #2',
      '  58.214 Gal @ $3.899/Gal   $226.98',
    ]);
    expect(wordsWith('QUANTITY')).toEqual(['1', '6', '58.214']);
    expect(wordsWith('PRODUCT_NAME')).toEqual([
      '2',
      'LITER',
      'COKE',
      '2024',
      'NAPA',
      'CAB',
      'SAUV',
      '750ML',
      'BANANAS',
      'Diesel',
      '#2',
    ]);
  });
});

describe('fuel blocks', () => {
  it('labels the grade, gallons, price per gallon and fuel total of a pump block, not as the grand total', async () => {
    const { wordsWith } = await analyzeText([
      'SUMMIT FUEL',
      'PRODUCT:      UNLEADED PLUS',
      'GALLONS:             11.482',
      'PRICE/GAL:          $4.699',
      'FUEL TOTAL:         $53.95',
      'COFFEE 20OZ          $2.19',
      'TOTAL               $56.14',
    ]);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['UNLEADED', 'PLUS', 'COFFEE', '20OZ']);
    expect(wordsWith('QUANTITY')).toEqual(['11.482']);
    expect(wordsWith('UNIT_PRICE')).toEqual(['$4.699']);
    expect(wordsWith('LINE_TOTAL')).toEqual(['$53.95', '$2.19']);
    expect(wordsWith('GRAND_TOTAL')).toEqual(['$56.14']);
  });

  it('does not take an item starting with GAL for a fuel line', async () => {
    const { wordsWith } = await itemLabels(['GAL MILK 2%          3.49']);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['GAL', 'MILK', '2%']);
    expect(wordsWith('LINE_TOTAL')).toEqual(['3.49']);
  });
});
