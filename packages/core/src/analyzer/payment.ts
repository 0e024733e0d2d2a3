import type { ProposalSet } from './proposal-set.js';
import { type LayoutLine, matchWords } from './receipt-layout.js';

// A loyalty or membership programme named on the line.
const LOYALTY_KEYWORD =
  /\b(?:MEMBER(?:SHIP)?|REWARDS?|LOYALTY|CLUB|ADVANTAGE|PERKS|EXTRACARE|XTRA|PLUS CARD|FREQUENT)\b/;
// A member number: digits, possibly masked, at least six characters with four digits.
const MEMBER_NUMBER = /^#?(?=(?:\D*\d){4})[*X#\d-]{6,}$/i;

const MASKED_CARD = /(?<![\w*])(?:(?:[*X•]{4}[\s-]?){3}\d{4}|[*X•]{4,}\s?\d{4})(?!\d)/g;
const PAYMENT_WORD =
  /(?<![A-Z])(?:VISA|MASTER\s?CARD|AMEX|AMERICAN\s+EXPRESS|DISCOVER|DEBIT|CREDIT|EBT|APPLE\s+PAY|GOOGLE\s+PAY|SAMSUNG\s+PAY|PAYPAL|INTERAC|CASH(?!\s*BACK))(?![A-Z])/g;
// Words that show a line is about paying, so that "DISCOVER" in a slogan is not taken for a card.
const PAYMENT_CONTEXT =
  /\b(?:TEND(?:ERED)?|CARD|PAY(?:MENT)?|PAID|ACCT|ACCOUNT|METHOD|TYPE|CHIP|AUTH|SALE|USD)\b/;

/** Labels loyalty / member numbers on lines naming a rewards programme. */
export function labelLoyaltyIds(lines: readonly LayoutLine[], proposals: ProposalSet): void {
  for (const line of lines) {
    if (!LOYALTY_KEYWORD.test(line.upper)) continue;
    const ids = line.words.filter((w) => MEMBER_NUMBER.test(w.text));
    proposals.claimAll(ids, 'LOYALTY_ID', 'member number on a rewards / loyalty line');
  }
}

/**
 * Labels how the receipt was paid: masked card numbers anywhere, and card brands, DEBIT, CREDIT, CASH, EBT,
 * wallets on lines from `fromIndex` on (the totals and payment block) that read like payment lines.
 */
export function labelPaymentMethods(
  lines: readonly LayoutLine[],
  proposals: ProposalSet,
  fromIndex: number,
): void {
  for (const line of lines) {
    const cards = matchWords(line, MASKED_CARD);
    for (const { words } of cards) proposals.claimAll(words, 'PAYMENT_METHOD', 'masked payment card number');
    if (line.index < fromIndex) continue;
    const brands = matchWords(line, PAYMENT_WORD);
    if (brands.length === 0 || !isPaymentLine(line, cards.length > 0)) continue;
    for (const { words, text } of brands) {
      proposals.claimAll(words, 'PAYMENT_METHOD', `names the payment method (${text})`);
    }
  }
}

function isPaymentLine(line: LayoutLine, hasCard: boolean): boolean {
  const hasAmount = line.words.some((w) => /\d\.\d{2}/.test(w.text));
  return hasCard || hasAmount || line.words.length <= 3 || PAYMENT_CONTEXT.test(line.upper);
}
