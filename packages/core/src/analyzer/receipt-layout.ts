import type { ReceiptWord } from '../domain/receipt-text.js';

/** One OCR word placed in the text of its line, so that patterns matched on the line map back to words. */
export interface LayoutWord {
  readonly word: ReceiptWord;
  /** As the OCR read it. */
  readonly text: string;
  /** Upper-cased, with the letter O read for a zero inside a number undone (see `withOcrDigits`). */
  readonly upper: string;
  /** Character range of the word inside its line's upper-cased text. */
  readonly start: number;
  readonly end: number;
  /**
   * Where the word stands across the receipt, in character widths from the left edge of the image: columns
   * (a quantity under QTY, a name continued under the name above) are read from these.
   */
  readonly left: number;
  readonly right: number;
}

/** The words of one line, in reading order, and the line's text rebuilt from them. */
export interface LayoutLine {
  /** Position of the line from the top of the receipt. */
  readonly index: number;
  readonly words: readonly LayoutWord[];
  readonly text: string;
  readonly upper: string;
}

// A run of digits and the letter O, standing on its own (no letter on either side), with a digit in it.
const DIGITS_WITH_O = /(?<![A-Z])(?=[0-9O]*[0-9])[0-9O]*O[0-9O]*(?![A-Z])/gi;
// An amount keeps its letters: money is read from the OCR text as printed, never guessed.
const AMOUNT_LIKE = /[\dO][.,][\dO]{2}(?![\dO])|\$/i;

/**
 * The text with the letter O turned into a zero where it stands inside a number ("1O45" -> "1045",
 * "2O26/11/29" -> "2026/11/29", "946O7"), as OCR confuses the two; words that read as amounts are left alone.
 * Keeps the length, so character positions still map back to the words.
 */
export function withOcrDigits(text: string): string {
  if (AMOUNT_LIKE.test(text)) return text;
  return text.replaceAll(DIGITS_WITH_O, (run) => run.replaceAll(/o/gi, '0'));
}

/**
 * Groups words into lines, top to bottom by line id and left to right by word id. The order comes from the
 * ids, the reading order the OCR gave; coordinates only place words in columns (`left`, `right`), in units of
 * the receipt's typical character width so that they do not depend on the image's size.
 */
export function layoutReceipt(words: readonly ReceiptWord[]): LayoutLine[] {
  const charWidth = typicalCharWidth(words);
  const byLine = new Map<number, ReceiptWord[]>();
  for (const word of words) {
    const text = word.text.trim();
    if (text === '') continue;
    const line = byLine.get(word.lineId) ?? [];
    line.push(word);
    byLine.set(word.lineId, line);
  }
  return [...byLine.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, lineWords], index) => {
      let offset = 0;
      const placed = [...lineWords]
        .sort((a, b) => a.wordId - b.wordId)
        .map((word): LayoutWord => {
          const text = word.text.trim();
          // Offsets follow the upper-cased text, which patterns run on (upper-casing may change a length).
          const upper = withOcrDigits(text).toUpperCase();
          const start = offset;
          offset += upper.length + 1;
          const { x, width } = word.boundingBox;
          return {
            word,
            text,
            upper,
            start,
            end: start + upper.length,
            left: x / charWidth,
            right: (x + width) / charWidth,
          };
        });
      return {
        index,
        words: placed,
        text: placed.map((w) => w.text).join(' '),
        upper: placed.map((w) => w.upper).join(' '),
      };
    });
}

/** The median width of one character over the words (1 when there is nothing to measure). */
function typicalCharWidth(words: readonly ReceiptWord[]): number {
  const widths = words
    .map((w) => w.boundingBox.width / Math.max(1, w.text.trim().length))
    .filter((width) => width > 0)
    .sort((a, b) => a - b);
  return widths[Math.floor(widths.length / 2)] ?? 1;
}

/** The words of a line that overlap the character range [start, end). */
function wordsInRange(line: LayoutLine, start: number, end: number): LayoutWord[] {
  return line.words.filter((w) => w.start < end && w.end > start);
}

/** One match of a pattern over a line: the words it covers and the matched text in its original case. */
export interface WordMatch {
  readonly match: RegExpExecArray;
  readonly words: LayoutWord[];
  readonly text: string;
}

/** Every match of a global pattern over the line's upper-cased text, as the words it covers. */
export function matchWords(line: LayoutLine, pattern: RegExp): WordMatch[] {
  const found: WordMatch[] = [];
  for (const match of line.upper.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    const words = wordsInRange(line, start, end);
    if (words.length === 0) continue;
    const text = words
      .map((w) => w.text.slice(Math.max(0, start - w.start), Math.min(w.text.length, end - w.start)))
      .join(' ');
    found.push({ match, words, text });
  }
  return found;
}
