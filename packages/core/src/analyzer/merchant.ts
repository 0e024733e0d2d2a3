import type { WordLabelName } from '../domain/label-vocabulary.js';
import { parseMoney } from './money.js';
import type { ProposalSet } from './proposal-set.js';
import type { LayoutLine, LayoutWord } from './receipt-layout.js';
import { comparisonTokens, textSimilarity } from './similarity.js';

// The header is the top of the receipt, before the first amount; a name further down is not a header.
const HEADER_MAX_LINES = 8;
// A metadata name this similar to a header line identifies that line as the name.
const METADATA_NAME_MATCH = 0.7;
// Header lines that are not a name: greetings, copies, register and transaction details.
const NOT_A_NAME =
  /^(?:THANK|RECEIPT|SALES? RECEIPT|CUSTOMER|MERCHANT COPY|COPY|ORDER|TABLE|SERVER|CASHIER|GUEST|CHECK|REG(?:ISTER)?\b|STORE\s*#?\s*\d|STR\s*#|ST\s*#|TRANS|TRN|INVOICE|DUPLICATE|REPRINT|MGR|MANAGER|OP\s*#|TERMINAL|SALE\b|RETURN|PUMP|DATE|TIME|TEL|PHONE|DINE|EAT IN|TAKE\s*OUT|TO GO|CARRY\s*OUT|DRIVE)/;
const WELCOME = /^WELCOME(?:\s+TO)?(?:\s+|$)/;
// The name is printed above the store's address and phone, at most this many lines above them.
const HEADING_DISTANCE = 3;
const CONTACT_LABELS: ReadonlySet<WordLabelName> = new Set(['ADDRESS_LINE', 'PHONE_NUMBER']);
// A store number beside the name ("QUICKFUEL #0452", "STORE 12") is not part of it.
const STORE_NUMBER = /^(?:#\s*\d*|NO\.?|STORE|STR|ST#|#?\d+)$/;

/** The merchant name as printed in the header. */
export interface FoundMerchant {
  readonly text: string;
  /**
   * Whether it stands right above the address or phone, where a store prints its name: only such a name is
   * evidence enough to contradict the metadata.
   */
  readonly abovePlace: boolean;
}

/**
 * Labels the merchant name and returns it as printed: the header line that best matches the metadata's name
 * when one does, otherwise the first line above the address and phone that is not a greeting, date or register
 * detail (when the name is only in a logo, no line qualifies). Later lines repeating the same name ("THANK YOU
 * FOR SHOPPING AT ...") are labelled too.
 */
export function labelMerchantName(
  lines: readonly LayoutLine[],
  proposals: ProposalSet,
  knownNames: readonly string[],
): FoundMerchant | undefined {
  const candidates = headerCandidates(lines, proposals);
  const scored = candidates.map((candidate) => ({
    ...candidate,
    score: Math.max(0, ...knownNames.map((name) => textSimilarity(candidate.text, name))),
  }));
  const byMetadata = scored.reduce<(typeof scored)[number] | undefined>(
    (best, candidate) =>
      candidate.score >= METADATA_NAME_MATCH && candidate.score > (best?.score ?? 0) ? candidate : best,
    undefined,
  );
  const chosen = byMetadata ?? scored.find((candidate) => candidate.distanceToContact > 0);
  if (!chosen) return undefined;
  const reasoning = byMetadata
    ? `header line matching the metadata merchant name (similarity ${byMetadata.score.toFixed(2)})`
    : 'first header line above the address and phone that is not a greeting or register detail';
  proposals.claimAll(chosen.words, 'MERCHANT_NAME', reasoning);
  labelRepeatedName(lines, proposals, chosen.words);
  return {
    text: chosen.text,
    abovePlace: chosen.distanceToContact > 0 && chosen.distanceToContact <= HEADING_DISTANCE,
  };
}

function headerCandidates(lines: readonly LayoutLine[], proposals: ProposalSet) {
  const firstAmount = lines.findIndex((line) => line.words.some((w) => parseMoney(w.text) !== undefined));
  const end = Math.min(HEADER_MAX_LINES, firstAmount < 0 ? lines.length : firstAmount);
  const firstContact = lines.findIndex((line) =>
    line.words.some((w) => proposals.labelsOf(w).some((label) => CONTACT_LABELS.has(label))),
  );
  return lines.slice(0, end).flatMap((line) => {
    if (line.words.some((w) => proposals.isClaimed(w))) return [];
    const welcome = WELCOME.exec(line.upper);
    const rest = welcome ? line.words.filter((w) => w.start >= welcome[0].length) : line.words;
    const words = rest.filter((w) => !STORE_NUMBER.test(w.upper));
    const text = words.map((w) => w.text).join(' ');
    const letters = text.replaceAll(/[^A-Za-z]/g, '').length;
    if (letters < 2 || NOT_A_NAME.test(text.toUpperCase())) return [];
    const distanceToContact = firstContact < 0 ? Number.POSITIVE_INFINITY : firstContact - line.index;
    return [{ words, text, distanceToContact }];
  });
}

/** Labels later runs of words that spell exactly the header's name. */
function labelRepeatedName(
  lines: readonly LayoutLine[],
  proposals: ProposalSet,
  nameWords: readonly LayoutWord[],
) {
  const name = comparisonTokens(nameWords.map((w) => w.text).join(' ')).join(' ');
  if (name.replaceAll(' ', '').length < 3) return;
  for (const line of lines) {
    const words = line.words;
    for (let start = 0; start < words.length; start++) {
      for (let end = start + 1; end <= words.length; end++) {
        const run = words.slice(start, end);
        const tokens = comparisonTokens(run.map((w) => w.text).join(' ')).join(' ');
        if (tokens.length > name.length) break;
        if (tokens !== name || !hasTokens(run[0]) || !hasTokens(run.at(-1))) continue;
        if (run.some((w) => proposals.isClaimed(w))) continue;
        proposals.claimAll(run, 'MERCHANT_NAME', 'repeats the merchant name printed in the header');
      }
    }
  }
}

// A run must start and end on a word of the name, not on a stop word such as "AT".
function hasTokens(word: LayoutWord | undefined): boolean {
  return word !== undefined && comparisonTokens(word.text).length > 0;
}
