import { parseMoney } from './money.js';
import type { ProposalSet } from './proposal-set.js';
import type { LayoutLine, LayoutWord } from './receipt-layout.js';

/** A money amount on a line: usually one word, several when the OCR split it ("$" "12.34", "12." "34"). */
export interface AmountWords {
  readonly words: readonly LayoutWord[];
  readonly cents: number;
}

// A tax or department flag glued after the amount ("3.49F", "11.97X"); "EA" is a unit, not a flag.
const FLAGGED = /^(.*\d\.\d{2}-?)(?!EA$)[A-Z]{1,2}$/;
// A keyword glued before the amount by the OCR ("TOTAL:12.34", "TOTAL$12.34").
const KEYWORD_GLUED = /^[A-Z#]{2,}:?((?:\$|-)*[\d,]*\.\d{2}-?)$/;

/** The amount a single word shows, if any (plain, flagged, or glued to its keyword). */
export function amountOfWord(word: LayoutWord): number | undefined {
  const plain = parseMoney(word.text);
  if (plain !== undefined) return plain;
  const flagged = FLAGGED.exec(word.upper);
  if (flagged?.[1]) return parseMoney(flagged[1]);
  const glued = KEYWORD_GLUED.exec(word.upper);
  return glued?.[1] ? parseMoney(glued[1]) : undefined;
}

/** The amounts of a line among the words no other pass has labelled, left to right. */
export function findAmounts(line: LayoutLine, proposals: ProposalSet): AmountWords[] {
  const free = line.words.filter((w) => !proposals.isClaimed(w));
  const amounts: AmountWords[] = [];
  for (let i = 0; i < free.length; i++) {
    const amount = joinSplitAmount(free, i) ?? singleWordAmount(free[i]);
    if (!amount) continue;
    const signed = withTrailingMinus(free, i + amount.words.length - 1, amount);
    amounts.push(signed);
    i += signed.words.length - 1;
  }
  return amounts;
}

function singleWordAmount(word: LayoutWord | undefined): AmountWords | undefined {
  const cents = word && amountOfWord(word);
  return word && cents !== undefined ? { words: [word], cents } : undefined;
}

/**
 * An amount split over adjacent words: a lone "$" before it, or a decimal point at the split ("12." "34",
 * "12" ".34", "12" "." "34"). Two plain numbers side by side are never joined: "2" "1.99" is not 21.99.
 */
function joinSplitAmount(words: readonly LayoutWord[], i: number): AmountWords | undefined {
  for (const length of [3, 2]) {
    const parts = words.slice(i, i + length);
    if (parts.length !== length) continue;
    const texts = parts.map((w) => w.text);
    const splitAtPoint = texts
      .slice(0, -1)
      .some((t, k) => t.endsWith('.') || texts[k + 1]?.startsWith('.') || t === '.');
    const afterSign = texts[0] === '$' && length === 2;
    if (!splitAtPoint && !afterSign) continue;
    const cents = parseMoney(texts.join(''));
    if (cents !== undefined) return { words: parts, cents };
  }
  return undefined;
}

/** A minus printed as its own word after the amount ("0.50" "-") makes it negative and belongs to it. */
function withTrailingMinus(words: readonly LayoutWord[], last: number, amount: AmountWords): AmountWords {
  const next = words[last + 1];
  if (next?.text !== '-' || amount.cents < 0) return amount;
  return { words: [...amount.words, next], cents: -amount.cents };
}
