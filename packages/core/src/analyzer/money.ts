// `$`, thousands separators, an optional integer part (`.62`), exactly two decimals, and a sign written as a
// leading or trailing minus or as parentheses, as receipts print discounts and refunds.
const DECIMAL_AMOUNT = /^(\()?(-)?(\$)?(-)?(\d{1,3}(?:,\d{3})+|\d*)\.(\d{2})(-)?(\))?$/;
// Whole dollars count as money only with a currency sign: a bare `2` is a quantity.
const WHOLE_DOLLARS = /^(-)?\$(\d{1,3}(?:,\d{3})+|\d+)(-)?$/;

/**
 * Parses a word printed as a money amount and returns it in integer cents (negative for discounts, refunds
 * and other credits), or undefined when the text is not an amount.
 */
export function parseMoney(text: string): number | undefined {
  const trimmed = text.trim();
  const decimal = DECIMAL_AMOUNT.exec(trimmed);
  if (decimal) {
    const [, open, minusBefore, , minusAfterSign, whole = '', fraction = '', minusAfter, close] = decimal;
    if (Boolean(open) !== Boolean(close)) return undefined;
    const signs = [open, minusBefore, minusAfterSign, minusAfter].filter(Boolean).length;
    if (signs > 1) return undefined;
    const cents = Number(whole.replaceAll(',', '') || '0') * 100 + Number(fraction);
    return signs === 1 && cents > 0 ? -cents : cents;
  }
  const dollars = WHOLE_DOLLARS.exec(trimmed);
  if (dollars) {
    const [, minusBefore, whole = '', minusAfter] = dollars;
    if (minusBefore && minusAfter) return undefined;
    const cents = Number(whole.replaceAll(',', '')) * 100;
    return (minusBefore || minusAfter) && cents > 0 ? -cents : cents;
  }
  return undefined;
}

/** `$12.34`, `-$0.50`: for reasoning texts. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
