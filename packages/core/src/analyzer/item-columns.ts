import { amountOfWord } from './amount-words.js';
import type { LayoutLine, LayoutWord } from './receipt-layout.js';

/** What a column of the item lines holds, as its header names it. */
export type ColumnKind = 'CODE' | 'NAME' | 'QUANTITY' | 'UNIT_PRICE' | 'TOTAL';

export interface ItemColumn {
  readonly kind: ColumnKind;
  readonly left: number;
  readonly right: number;
}

/** The columns announced by a header line ("SKU  DESCRIPTION  QTY  PRICE  AMOUNT"), left to right. */
export interface ItemColumns {
  readonly columns: readonly ItemColumn[];
}

const HEADER_WORDS: ReadonlyArray<readonly [ColumnKind, RegExp]> = [
  ['CODE', /^(?:SKU|UPC|PLU|ITEM#|PART#?|PART\s?NO\.?|LN|LINE|NO\.?|#|CODE|ISBN)$/],
  ['NAME', /^(?:DESCRIPTION|DESC\.?|ITEM|ITEMS|PRODUCT|ARTICLE|NAME)$/],
  ['QUANTITY', /^(?:QTY\.?|QUANTITY|QNTY|CNT|UNITS)$/],
  ['UNIT_PRICE', /^(?:PRICE|UNIT|EACH|EA\.?|RATE|@)$/],
  ['TOTAL', /^(?:AMOUNT|AMT\.?|EXT\.?|EXTENSION|TOTAL)$/],
];
// Half a character of slack either side: numbers are right-aligned under left-aligned headers and vice versa.
const SLACK = 1;

function kindOf(word: LayoutWord): ColumnKind | undefined {
  return HEADER_WORDS.find(([, pattern]) => pattern.test(word.upper))?.[0];
}

/**
 * Reads a column header: a line of at least three words that are all column names, naming the item's name and
 * at least one of quantity, unit price or total. Undefined for any other line.
 */
export function readColumnHeader(line: LayoutLine): ItemColumns | undefined {
  if (line.words.length < 3) return undefined;
  const kinds = line.words.map(kindOf);
  if (kinds.some((kind) => kind === undefined)) return undefined;
  const has = (kind: ColumnKind) => kinds.includes(kind);
  if (!has('NAME') || !(has('QUANTITY') || has('UNIT_PRICE') || has('TOTAL'))) return undefined;
  return {
    columns: line.words.map((word, i) => ({
      kind: kinds[i] as ColumnKind,
      left: word.left,
      right: word.right,
    })),
  };
}

/** The column a number stands under, when it overlaps exactly one column header's span. */
export function numericColumnOf(columns: ItemColumns, word: LayoutWord): ColumnKind | undefined {
  const under = columns.columns.filter(
    (column) =>
      column.kind !== 'NAME' && word.left < column.right + SLACK && word.right > column.left - SLACK,
  );
  return under.length === 1 ? under[0]?.kind : undefined;
}

/** Where the name column starts, if the header has one. */
export function nameColumnStart(columns: ItemColumns): number | undefined {
  return columns.columns.find((column) => column.kind === 'NAME')?.left;
}

/** Whether a word is a number a column could hold (a count, a price, an amount). */
export function isColumnNumber(word: LayoutWord): boolean {
  return /^\d+(?:\.\d+)?$/.test(word.text) || amountOfWord(word) !== undefined;
}
