import { describe, expect, it } from 'vitest';
import { analyzeText } from './analyzer.test-support.js';

const HEADER = ['SOME STORE', 'BREAD            6.00', 'MILK             4.00'];

describe('totals', () => {
  it('tells SUBTOTAL from TOTAL and labels only the amounts, never the keywords', async () => {
    const { wordsWith, labelsOf } = await analyzeText([
      ...HEADER,
      'SUBTOTAL 10.00',
      'TAX 0.80',
      'TOTAL 10.80',
    ]);
    expect(wordsWith('SUBTOTAL')).toEqual(['10.00']);
    expect(wordsWith('TAX')).toEqual(['0.80']);
    expect(wordsWith('GRAND_TOTAL')).toEqual(['10.80']);
    expect(labelsOf('SUBTOTAL')).toEqual([]);
    expect(labelsOf('TOTAL')).toEqual([]);
  });

  it.each([
    [['SUB-TOTAL 10.00', 'SALES TAX 8.25% 0.83', 'TOTAL: 10.83'], '10.00', '0.83', '10.83'],
    [['SUB TOTAL 10.00', 'TAX1 0.80', 'TOTAL:$10.80'], '10.00', '0.80', 'TOTAL:$10.80'],
    [['Subtotal $10.00', 'Tax $0.80', 'Balance Due $10.80'], '$10.00', '$0.80', '$10.80'],
    [['SUBTOTAL 10.00', 'TAX .80', 'AMOUNT DUE 10.80'], '10.00', '.80', '10.80'],
  ])('reads the variants %j', async (lines, subtotal, tax, total) => {
    const { wordsWith } = await analyzeText([...HEADER, ...lines]);
    expect(wordsWith('SUBTOTAL')).toEqual([subtotal]);
    expect(wordsWith('TAX')).toEqual([tax]);
    expect(wordsWith('GRAND_TOTAL')).toEqual([total]);
  });

  it('picks, among several TOTAL lines, the one that adds up: the total after the tip', async () => {
    const { wordsWith, analysis } = await analyzeText([
      ...HEADER,
      'Subtotal         10.00',
      'Tax               0.80',
      'Total            10.80',
      'Suggested Gratuity:',
      '18% = $1.94',
      '20% = $2.16',
      'Tip:              2.00',
      ['Total:', '$', '12.80'],
    ]);
    expect(wordsWith('GRAND_TOTAL')).toEqual(['$', '12.80']);
    expect(wordsWith('TIP')).toEqual(['2.00']);
    const reasoning = analysis.proposals.find((p) => p.label === 'GRAND_TOTAL')?.reasoning;
    expect(reasoning).toMatch(/subtotal \$10\.00 \+ tax \$0\.80 \+ tip \$2\.00/);
  });

  it('labels every TOTAL line repeating the grand total, and not a zero balance after payment', async () => {
    const { wordsWith } = await analyzeText([
      ...HEADER,
      'SUBTOTAL 10.00',
      'TAX 0.80',
      'TOTAL 10.80',
      'VISA 10.80',
      'BALANCE DUE 0.00',
      'CARDHOLDER COPY',
      'TOTAL 10.80',
    ]);
    expect(wordsWith('GRAND_TOTAL')).toEqual(['10.80', '10.80']);
  });

  it('falls back to the largest TOTAL amount when nothing adds up', async () => {
    const { wordsWith, analysis } = await analyzeText([
      'SOME STORE',
      'TOTAL 20.00',
      'CASH 20.00',
      'BALANCE 0.00',
    ]);
    expect(wordsWith('GRAND_TOTAL')).toEqual(['20.00']);
    expect(analysis.proposals.find((p) => p.label === 'GRAND_TOTAL')?.reasoning).toMatch(/largest/);
  });

  it('takes savings between the subtotal and the total off, and reads TOTAL SAVINGS as a discount', async () => {
    const { wordsWith, analysis } = await analyzeText([
      ...HEADER,
      'Subtotal                10.00',
      'Rewards Savings         -2.00',
      'Tax                      0.64',
      'Total                    8.64',
      'TOTAL SAVINGS            2.00',
      'YOU SAVED $2.00',
    ]);
    expect(wordsWith('GRAND_TOTAL')).toEqual(['8.64']);
    expect(wordsWith('DISCOUNT')).toEqual(['-2.00', '2.00', '$2.00']);
    expect(analysis.proposals.find((p) => p.label === 'GRAND_TOTAL')?.reasoning).toMatch(/- savings \$2\.00/);
  });

  it('reads TOTAL TAX as tax and TOTAL ITEMS as no amount', async () => {
    const { wordsWith } = await analyzeText([
      ...HEADER,
      'SUBTOTAL 10.00',
      'TOTAL TAX 0.80',
      'TOTAL 10.80',
      'TOTAL ITEMS 2',
    ]);
    expect(wordsWith('TAX')).toEqual(['0.80']);
    expect(wordsWith('GRAND_TOTAL')).toEqual(['10.80']);
  });

  it.each([
    ['CHANGE DUE        9.20', 'CHANGE', '9.20'],
    ['CHANGE            9.20', 'CHANGE', '9.20'],
    ['CASH BACK        20.00', 'CASH_BACK', '20.00'],
    ['CASHBACK         20.00', 'CASH_BACK', '20.00'],
    ['GRATUITY          2.00', 'TIP', '2.00'],
    ['REFUND            4.00', 'REFUND', '4.00'],
    ['MFR COUPON        1.00-', 'COUPON', '1.00-'],
    ['STORE CPN         0.50', 'COUPON', '0.50'],
    ['DISCOUNT 10%      1.00-', 'DISCOUNT', '1.00-'],
  ] as const)('labels the amount of %s as %s', async (line, label, amount) => {
    const { wordsWith } = await analyzeText([...HEADER, 'SUBTOTAL 10.00', 'TOTAL 10.00', line]);
    expect(wordsWith(label)).toEqual([amount]);
  });

  it('leaves the tendered amount unlabelled', async () => {
    const { labelsOf } = await analyzeText([...HEADER, 'TOTAL 10.00', 'CASH TEND 20.00', 'CHANGE 10.00']);
    expect(labelsOf('20.00')).toEqual([]);
  });

  it('joins an amount the OCR split, and a minus printed as its own word', async () => {
    const { wordsWith } = await analyzeText([
      'SOME STORE',
      ['BREAD', '6.', '00'],
      ['  MEMBER SAVINGS', '1.00', '-'],
      ['SUBTOTAL', '5', '.00'],
      ['TOTAL', '$', '5.00'],
    ]);
    expect(wordsWith('LINE_TOTAL')).toEqual(['6.', '00']);
    expect(wordsWith('DISCOUNT')).toEqual(['1.00', '-']);
    expect(wordsWith('SUBTOTAL')).toEqual(['5', '.00']);
    expect(wordsWith('GRAND_TOTAL')).toEqual(['$', '5.00']);
  });
});
