import { describe, expect, it } from 'vitest';
import { analyzeText } from './analyzer.test-support.js';

const ITEMS = ['SOME STORE', 'BREAD      2.99', 'TOTAL      2.99'];

describe('payment methods', () => {
  it.each([
    ['VISA TEND      2.99', ['VISA']],
    ['VISA ************4821', ['VISA', '************4821']],
    ['Card: XXXX XXXX XXXX 3391', ['XXXX', 'XXXX', 'XXXX', '3391']],
    ['MasterCard ****7734   $2.99', ['MasterCard', '****7734']],
    ['AMERICAN EXPRESS     2.99', ['AMERICAN', 'EXPRESS']],
    ['APPLE PAY', ['APPLE', 'PAY']],
    ['DEBIT          2.99', ['DEBIT']],
    ['CASH           5.00', ['CASH']],
    ['EBT SNAP       2.99', ['EBT']],
    ['MC •••• 2231   $2.99', ['MC', '••••', '2231']],
    ['Card ending in 4418', ['4418']],
    ['Room Charge    2.99', ['Room', 'Charge']],
    ['GIFT CARD ****0093   2.99', ['GIFT', 'CARD', '****0093']],
    ['Fleet Card ***4417   2.99', ['Fleet', 'Card', '***4417']],
    ['DEBIT CARD ************8830', ['DEBIT', 'CARD', '************8830']],
    ['AMEX XXXX-XXXXXX-31008   2.99', ['AMEX', 'XXXX-XXXXXX-31008']],
  ])('labels %s', async (line, expected) => {
    const { wordsWith } = await analyzeText([...ITEMS, line]);
    expect(wordsWith('PAYMENT_METHOD')).toEqual(expected);
  });

  it('does not take CASH BACK, CASHIER or a slogan for a payment method', async () => {
    const { wordsWith } = await analyzeText([
      'SOME STORE',
      'CASHIER: ANN',
      'BREAD      2.99',
      'TOTAL      2.99',
      'CASH BACK  20.00',
      'DISCOVER OUR WEEKLY SPECIALS IN STORE AND ONLINE',
    ]);
    expect(wordsWith('PAYMENT_METHOD')).toEqual([]);
  });

  it('labels a card brand beside a masked number even above the items, as a pump slip prints it', async () => {
    const { wordsWith } = await analyzeText([
      'SOME STORE',
      'VISA ************5501',
      'BREAD  2.99',
      'TOTAL  2.99',
    ]);
    expect(wordsWith('PAYMENT_METHOD')).toEqual(['VISA', '************5501']);
  });

  it('does not take a product named like a card for a payment method', async () => {
    const { wordsWith } = await analyzeText(['SOME STORE', 'DISCOVER MAGAZINE   5.99', 'TOTAL   5.99']);
    expect(wordsWith('PAYMENT_METHOD')).toEqual([]);
    expect(wordsWith('PRODUCT_NAME')).toEqual(['DISCOVER', 'MAGAZINE']);
  });
});

describe('loyalty ids', () => {
  it.each([
    ['SUNNYSIDE REWARDS # ****5521', ['****5521']],
    ['Member # 40018823351', ['40018823351']],
    ['Rewards #: 7781234509', ['7781234509']],
    ['PRO XTRA # ****8821', ['****8821']],
    ['STAR REWARDS 6012 4471 0093', ['6012', '4471', '0093']],
    ['BOOKSELLER REWARDS #: 0044 1928 77', ['0044', '1928', '77']],
    ['REWARDS#4406118827', ['REWARDS#4406118827']],
    ['MEMBER:40018823', ['MEMBER:40018823']],
    ['Insider ID: MV-20418', ['MV-20418']],
    ['FRESHWAY CARD ****3307', ['****3307']],
  ])('labels the member number of %s', async (line, expected) => {
    const { wordsWith } = await analyzeText([...ITEMS, line]);
    expect(wordsWith('LOYALTY_ID')).toEqual(expected);
    expect(wordsWith('PAYMENT_METHOD')).toEqual([]);
  });

  it('does not take a savings amount or a points count for a member number', async () => {
    const { wordsWith } = await analyzeText([
      ...ITEMS,
      'MEMBER SAVINGS  0.50-',
      'REWARDS POINTS EARNED 33',
      'REWARDS POINTS 120 OF 500',
    ]);
    expect(wordsWith('LOYALTY_ID')).toEqual([]);
  });
});
