import type { ProposalSet } from './proposal-set.js';
import { type LayoutLine, matchWords, withOcrDigits } from './receipt-layout.js';

// (555) 123-4567, 555-123-4567, 555.123.4567, +1 555-123-4567; the parts may be separate OCR words.
const SEPARATED_PHONE =
  /(?<![\w$.])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[.-]|\d{3}\s(?=\d{3}[.-]))\d{3}[.-]\s?\d{4}(?![\d.])/g;
// Ten bare digits count only after a phone keyword.
const KEYWORD_PHONE = /\b(?:TEL|PHONE|PH|PHN)\b\W{0,3}(\d{10})(?!\d)/g;
// Groups of three, three and four digits split by spaces ("303 555 0174"): a phone only when no other number
// shares the line, as member and transaction numbers are printed in groups too.
const SPACED_PHONE = /(?<![\w$.#/-])(?:\+?1\s)?\(?\d{3}\)?\s\d{3}\s\d{4}(?![\w./-])/g;

/**
 * Labels phone numbers (every word that is part of one) and returns them as printed, with a letter O inside
 * the digits read as a zero, top first.
 */
export function labelPhoneNumbers(lines: readonly LayoutLine[], proposals: ProposalSet): string[] {
  const found: string[] = [];
  for (const line of lines) {
    const matches = [
      ...matchWords(line, SEPARATED_PHONE),
      ...matchWords(line, SPACED_PHONE).filter(({ match }) => !hasOtherNumber(line.upper, match)),
      // Only the digits of a keyword match are the number ("TEL" is not).
      ...matchWords(line, KEYWORD_PHONE).map(({ text, words }) => ({
        text: text.replace(/^\D+/, ''),
        words: words.filter((w) => /\d/.test(w.text)),
      })),
    ];
    for (const { text, words } of matches) {
      if (words.length === 0 || words.some((w) => proposals.isClaimed(w))) continue;
      proposals.claimAll(words, 'PHONE_NUMBER', 'matches a phone number pattern (555) 123-4567');
      found.push(withOcrDigits(text));
    }
  }
  return found;
}

function hasOtherNumber(text: string, match: RegExpExecArray): boolean {
  const rest = text.slice(0, match.index) + text.slice(match.index + match[0].length);
  return /\d/.test(rest);
}
