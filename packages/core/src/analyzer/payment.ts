import type { ProposalSet } from './proposal-set.js';
import { type LayoutLine, type LayoutWord, matchWords } from './receipt-layout.js';

// A loyalty or membership programme named on the line.
const LOYALTY_WORDS =
  'MEMBER(?:SHIP)?|REWARDS?|LOYALTY|CLUB|ADVANTAGE|PERKS|EXTRACARE|XTRA|PLUS CARD|FREQUENT|INSIDER|VIP';
const LOYALTY_KEYWORD = new RegExp(`\\b(?:${LOYALTY_WORDS})\\b`);
// A member number: digits, possibly masked or after a short letter prefix, six characters with four digits.
const MEMBER_NUMBER = /^#?(?:[A-Z]{1,3}-?)?(?=(?:\D*\d){4})[*X#\d-]{5,}$/i;
// The number glued to its keyword by the OCR or the printer ("REWARDS#4406118827", "MEMBER:40018823").
const GLUED_MEMBER_NUMBER = new RegExp(`^(?:${LOYALTY_WORDS})(?:#|:|NO\\.?)+[*X\\d-]{6,}$`);
// A number printed in groups ("6012 4471 0093"): each group all digits.
const DIGIT_GROUP = /^\d{2,6}$/;
const MIN_GROUPED_DIGITS = 8;

// A masked card number: four groups of four, American Express's 4-6-5, or a run of masks before four digits.
const MASKED_CARD =
  /(?<![\w*])(?:(?:[*X•]{4}[\s-]?){3}\d{4}|[*X•]{4}[\s-]?[*X•]{6}[\s-]?\d{5}|[*X•]{3,}\s?\d{4})(?!\d)/g;
// "Card ending in 4418": the last four digits name the card.
const CARD_ENDING = /\bENDING(?:\s+IN)?\s+(\d{4})(?!\d)/g;
// A store's own card with a masked number ("FRESHWAY CARD ****3307") is its loyalty card, unless the words before
// CARD name a way to pay.
const NAMED_CARD = /^((?:[A-Z'&-]+\s+){1,3})CARD\b/;
const PAYING_CARD =
  /\b(?:DEBIT|CREDIT|GIFT|FLEET|PREPAID|BANK|CHARGE|PAYMENT|ACCT|ACCOUNT|VISA|AMEX|DISCOVER|MASTER)\b/;
const PAYMENT_WORD =
  /(?<![A-Z])(?:(?:DEBIT|CREDIT|GIFT|FLEET|PREPAID)\s+CARD|ROOM\s+CHARGE|VISA|MASTER\s?CARD|MC|AMEX|AMERICAN\s+EXPRESS|DISCOVER|DEBIT|CREDIT|EBT|APPLE\s+PAY|GOOGLE\s+PAY|SAMSUNG\s+PAY|PAYPAL|INTERAC|CASH(?!\s*BACK))(?![A-Z])/g;
// Words that show a line is about paying, so that "DISCOVER" in a slogan is not taken for a card.
const PAYMENT_CONTEXT =
  /\b(?:TEND(?:ERED)?|CARD|PAY(?:MENT)?|PAID|ACCT|ACCOUNT|METHOD|TYPE|CHIP|AUTH|SALE|USD)\b/;

/**
 * Labels loyalty / member numbers on lines naming a rewards programme: a number in one word, glued to its
 * keyword, or printed in groups of digits (every group is part of it).
 */
export function labelLoyaltyIds(lines: readonly LayoutLine[], proposals: ProposalSet): void {
  for (const line of lines) {
    const glued = line.words.filter((w) => GLUED_MEMBER_NUMBER.test(w.upper));
    proposals.claimAll(glued, 'LOYALTY_ID', 'member number glued to its rewards keyword');
    if (!LOYALTY_KEYWORD.test(line.upper)) continue;
    const ids = line.words.filter((w) => MEMBER_NUMBER.test(w.text));
    proposals.claimAll(ids, 'LOYALTY_ID', 'member number on a rewards / loyalty line');
    proposals.claimAll(digitGroups(line), 'LOYALTY_ID', 'member number printed in groups on a rewards line');
  }
  for (const line of lines) {
    const named = NAMED_CARD.exec(line.upper);
    if (!named?.[1] || PAYING_CARD.test(named[1]) || line.words.some((w) => /\d\.\d{2}/.test(w.text)))
      continue;
    for (const { words } of matchWords(line, MASKED_CARD)) {
      proposals.claimAll(
        words,
        'LOYALTY_ID',
        `masked number of the store's own card (${named[1].trim()} CARD)`,
      );
    }
  }
}

/** The longest run of adjacent all-digit words on the line, when it holds enough digits for a member number. */
function digitGroups(line: LayoutLine): LayoutWord[] {
  let best: LayoutWord[] = [];
  let run: LayoutWord[] = [];
  for (const word of [...line.words, undefined]) {
    if (word && DIGIT_GROUP.test(word.text)) {
      run.push(word);
      continue;
    }
    if (run.length > best.length) best = run;
    run = [];
  }
  const digits = best.reduce((sum, w) => sum + w.text.length, 0);
  return best.length >= 2 && digits >= MIN_GROUPED_DIGITS ? best : [];
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
    for (const { words } of matchWords(line, CARD_ENDING)) {
      proposals.claimAll(words.slice(-1), 'PAYMENT_METHOD', 'last four digits of the payment card');
    }
    // A card brand beside a masked number is a payment wherever it stands (a pay-at-the-pump slip prints it first).
    if (line.index < fromIndex && cards.length === 0) continue;
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
