import { isFuelLine } from './fuel-block.js';
import type { LayoutLine } from './receipt-layout.js';

/** What the keywords of a line say its amount is. */
export type AmountRole =
  | 'SUBTOTAL'
  | 'COUPON'
  | 'DISCOUNT'
  | 'TAX'
  | 'TIP'
  | 'CASH_BACK'
  | 'CHANGE'
  | 'REFUND'
  | 'GRAND_TOTAL'
  /** A payment ("VISA TEND 12.34", "CASH 20.00"): its amount is what was handed over, not a label. */
  | 'TENDER'
  /** An amount that is none of the above (tip suggestions, taxable base, a balance left on a gift card). */
  | 'IGNORED'
  /** A line of a pump's fuel block (gallons, price per gallon, fuel total), read by the fuel pass. */
  | 'FUEL';

// Tried in order: the more specific keyword first ("SUBTOTAL" before "TOTAL", "TOTAL SAVINGS" is a discount,
// "TOTAL TAX" is tax, "CASH BACK" before "CASH").
const ROLE_KEYWORDS: ReadonlyArray<readonly [AmountRole, RegExp]> = [
  ['IGNORED', /\b(?:TAXABLE|NON[\s-]?TAXABLE|POINTS?|REMAINING|PREV(?:IOUS)?\s+BAL\w*)\b/],
  ['SUBTOTAL', /\bSUB[\s-]*TOTAL\b|\bSUBTTL\b/],
  ['COUPON', /\b(?:COUPONS?|CPN|MFR\s+CPN|MFG\s+CPN)\b/],
  [
    'DISCOUNT',
    /\b(?:SAVINGS|SAVED|SAVE|DISCOUNTS?|DISC|MARKDOWN|PROMO(?:TION)?|PRICE\s+CUT|REDUCTION|INSTANT\s+SAV\w*)\b/,
  ],
  ['TAX', /\b(?:TAX(?:ES)?|TAX\d|HST|GST|PST|VAT)\b/],
  ['TIP', /\b(?:TIPS?|GRATUITY)\b/],
  ['CASH_BACK', /\bCASH\s*BACK\b/],
  ['CHANGE', /\bCHANGE(?:\s+DUE)?\b/],
  ['REFUND', /\b(?:REFUND(?:ED)?|RETURN(?:ED)?|RTN)\b/],
  ['TENDER', /\b(?:TEND(?:ERED)?|PAID|PAYMENT)\b/],
  [
    'GRAND_TOTAL',
    /\b(?:GRAND\s+TOTAL|TOTAL(?:\s+DUE)?|BALANCE(?:\s+DUE)?|AMOUNT\s+DUE|AMT\s+DUE|AMOUNT\s+PAYABLE|TTL)\b/,
  ],
  ['TENDER', /(?<![A-Z])(?:VISA|MASTER\s?CARD|AMEX|DISCOVER|DEBIT|CREDIT|EBT|CASH|GIFT\s*CARD)(?![A-Z])/],
];

// A block of tip suggestions ("SUGGESTED GRATUITY" then "18% = $17.70" lines) is not a tip.
const SUGGESTION_HEADING = /\bSUGGEST\w*|\bTIP GUIDE\b|\bGRATUITY GUIDE\b/;

/** The role each line's keywords give its amount, with lines inside a tip-suggestion block IGNORED. */
export function amountRoles(lines: readonly LayoutLine[]): Array<AmountRole | undefined> {
  let inSuggestions = false;
  return lines.map((line) => {
    if (SUGGESTION_HEADING.test(line.upper)) {
      inSuggestions = true;
      return 'IGNORED';
    }
    if (inSuggestions && line.upper.includes('%')) return 'IGNORED';
    inSuggestions = false;
    if (isFuelLine(line.upper)) return 'FUEL';
    return ROLE_KEYWORDS.find(([, pattern]) => pattern.test(line.upper))?.[0];
  });
}
