import { parseOneOf } from './ids.js';

/** Every label a RECEIPT_WORD_LABEL may carry (upper-case; part of the item's key). */
export const WORD_LABELS = [
  'MERCHANT_NAME',
  'STORE_HOURS',
  'PHONE_NUMBER',
  'WEBSITE',
  'LOYALTY_ID',
  'ADDRESS_LINE',
  'DATE',
  'TIME',
  'PAYMENT_METHOD',
  'COUPON',
  'DISCOUNT',
  'PRODUCT_NAME',
  'QUANTITY',
  'UNIT_PRICE',
  'LINE_TOTAL',
  'SUBTOTAL',
  'TAX',
  'GRAND_TOTAL',
  'TIP',
  'CHANGE',
  'CASH_BACK',
  'REFUND',
] as const;

export type WordLabelName = (typeof WORD_LABELS)[number];

export function isWordLabelName(value: unknown): value is WordLabelName {
  return typeof value === 'string' && (WORD_LABELS as readonly string[]).includes(value);
}

export function parseWordLabelName(field: string, value: unknown): WordLabelName {
  return parseOneOf(field, WORD_LABELS, value);
}

/** Labels of a word that is itself an amount of money (its text reads as one: `12.88-`, `$25.01`). */
export const AMOUNT_LABELS = [
  'LINE_TOTAL',
  'SUBTOTAL',
  'TAX',
  'GRAND_TOTAL',
  'TIP',
  'DISCOUNT',
  'COUPON',
  'CHANGE',
  'CASH_BACK',
  'REFUND',
] as const satisfies readonly WordLabelName[];
