import type { ReceiptWord } from '../domain/receipt-text.js';

/** One OCR word placed in the text of its line, so that patterns matched on the line map back to words. */
export interface LayoutWord {
  readonly word: ReceiptWord;
  readonly text: string;
  readonly upper: string;
  /** Character range of the word inside its line's upper-cased text. */
  readonly start: number;
  readonly end: number;
}

/** The words of one line, in reading order, and the line's text rebuilt from them. */
export interface LayoutLine {
  /** Position of the line from the top of the receipt. */
  readonly index: number;
  readonly words: readonly LayoutWord[];
  readonly text: string;
  readonly upper: string;
}

/**
 * Groups words into lines, top to bottom by line id and left to right by word id. Geometry is not used: ids
 * are the reading order the OCR gave, while coordinates depend on how the image was captured.
 */
export function layoutReceipt(words: readonly ReceiptWord[]): LayoutLine[] {
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
          const upper = text.toUpperCase();
          const start = offset;
          offset += upper.length + 1;
          return { word, text, upper, start, end: start + upper.length };
        });
      return {
        index,
        words: placed,
        text: placed.map((w) => w.text).join(' '),
        upper: placed.map((w) => w.upper).join(' '),
      };
    });
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
