import type { ProposalSet } from './proposal-set.js';
import type { LayoutLine, LayoutWord } from './receipt-layout.js';
import type { AmountRole } from './summary-lines.js';

// The lines of a fuel block as pumps print them: a keyword and its value, nothing else.
const GALLONS = /^(?:GALLONS?|GALS?|VOLUME|LITRES?|LITERS?)\s*:?\s+\d+\.\d{1,3}$/;
const PRICE_PER_UNIT =
  /^(?:PRICE\s*(?:\/|PER)\s*(?:GAL(?:LON)?|LITRE|LITER|L)|PPG|\$\/GAL)\s*:?\s+\$?\d*\.\d{2,3}$/;
const FUEL_TOTAL = /^(?:FUEL|PUMP)\s+(?:TOTAL|SALE|AMOUNT|AMT)\s*:?\s+\$?[\d,]*\.\d{2}$/;
const GRADE = /^(?:PRODUCT|GRADE|FUEL(?:\s+TYPE)?)\s*:/;
// The grade is printed at most this many lines above the first line of the block.
const GRADE_DISTANCE = 2;

/** Whether a line belongs to a fuel block: gallons, price per gallon, or fuel total, with its value alone. */
export function isFuelLine(upper: string): boolean {
  return GALLONS.test(upper) || PRICE_PER_UNIT.test(upper) || FUEL_TOTAL.test(upper);
}

/**
 * Labels a pay-at-the-pump fuel block ("PRODUCT: UNLEADED PLUS", "GALLONS: 11.482", "PRICE/GAL: $4.699",
 * "FUEL TOTAL: $53.95"): the volume is the QUANTITY, the price per gallon the UNIT_PRICE, the fuel total the
 * LINE_TOTAL (the fuel is an item, not the grand total) and the grade the PRODUCT_NAME. The keywords are not
 * labelled.
 */
export function labelFuelBlocks(
  lines: readonly LayoutLine[],
  roles: ReadonlyArray<AmountRole | undefined>,
  proposals: ProposalSet,
): void {
  const fuelLines = lines.filter((line) => roles[line.index] === 'FUEL');
  for (const line of fuelLines) {
    const value = line.words.at(-1);
    if (!value) continue;
    if (GALLONS.test(line.upper)) {
      proposals.claim(value, 'QUANTITY', 'volume of fuel on the gallons line of a fuel block');
    } else if (PRICE_PER_UNIT.test(line.upper)) {
      proposals.claim(value, 'UNIT_PRICE', 'price per gallon of a fuel block');
    } else if (FUEL_TOTAL.test(line.upper)) {
      proposals.claim(value, 'LINE_TOTAL', 'fuel total of a fuel block (an item, not the grand total)');
    }
  }
  const first = fuelLines[0];
  if (!first) return;
  for (const line of lines.slice(Math.max(0, first.index - GRADE_DISTANCE), first.index)) {
    const grade = GRADE.exec(line.upper);
    if (!grade) continue;
    const words = line.words.filter((w: LayoutWord) => w.start >= grade[0].length);
    proposals.claimAll(words, 'PRODUCT_NAME', 'fuel grade named above a fuel block');
  }
}
