import { type AmountWords, findAmounts } from './amount-words.js';
import {
  type ItemColumns,
  isColumnNumber,
  nameColumnStart,
  numericColumnOf,
  readColumnHeader,
} from './item-columns.js';
import type { ProposalSet } from './proposal-set.js';
import type { LayoutLine, LayoutWord } from './receipt-layout.js';
import type { AmountRole } from './summary-lines.js';

// A unit price: "1.99", "$0.59", "2.899" (fuel is priced to a tenth of a cent), "0.59/LB", "1.99EA".
const PRICE = /^\$?\d*\.\d{2,3}(?:\/[A-Z]+|EA)?$/;
const INTEGER = /^\d{1,3}$/;
const DECIMAL_OR_INTEGER = /^\d+(?:\.\d{1,3})?$/;
// Units of a weighed or measured quantity ("2.31 lb @ 0.59 /lb", "14.206 GAL @ 2.899").
const QUANTITY_UNIT = /^(?:LBS?|KG|G|OZ|GAL|GALS|L)\.?$/;
// Words after a leading number that make it part of a size ("2 LITER COLA"), not a count.
const SIZE_UNIT = /^(?:OZ|FL|CT|PK|PACK|LBS?|KG|G|ML|L|LITERS?|LITRES?|GAL|IN|INCH|FT|PC|PCS)\b/;
const QUANTITY_TIMES = /^(?:\d{1,3}[X×]|[X×]\d{1,3})$/;
const TIMES = /^[X×]$/;
const QUANTITY_GLUED_KEYWORD = /^QTY:?\d{1,3}$/;
const QUANTITY_KEYWORD = /^QTY:?$/;
const QUANTITY_AT = /^\d{1,3}@$/;
const QUANTITY_AT_PRICE = /^\d{1,3}@\$?\d*\.\d{2,3}(?:\/[A-Z]+)?$/;
const EACH = /^(?:EA|EACH|\/EA)$/;
// Item codes (UPC, SKU, PLU), tax flags ("<A>") and per-unit suffixes ("/lb") are not part of a name.
const CODE = /^#?\d{4,}$/;
// A year opening a name ("2024 NAPA CAB"), not an item code.
const YEAR = /^(?:19|20)\d{2}$/;
const FLAG = /^<[A-Z0-9]{1,2}>$/;
const UNIT_SUFFIX = /^\/[A-Z]+$/;
const RETURN_KEYWORD = /^(?:RETURN(?:ED)?|REFUND(?:ED)?|RTN)$/;
// Register details printed among the items are not product names.
const NOT_A_PRODUCT =
  /^(?:CASHIER|SERVER|REG|STORE|TABLE|GUEST|ORDER|TRANS|TRN|OP|ST#|MGR|PUMP|SALE|CHECK|S\/N|SERIAL|IMEI)\b/;
// A pump number before the fuel's name ("PUMP 12 DIESEL #2").
const PUMP_PREFIX = /^PUMP\s*#?\s*\d+\s+/;
// A heading that ends a block of returned items.
const SALE_HEADING = /^SALES?$/;
// A reference, serial or item number: a line holding one continues no name.
const LONG_NUMBER = /\d{5,}/;
// An item code opening a line whose name follows it, the amount being printed on the next line.
const LEADING_CODE = /^\d{6,}$/;
// A line continuing an item's name starts under the name (within this many characters) when a code or count
// column stands before the name, or is indented under the item by up to MAX_INDENT characters (a modifier).
const ALIGNED = 1;
const MIN_INDENT = 0.5;
const MAX_INDENT = 3.5;
// A name that runs to within four characters of its amount (with slack for the OCR's boxes) filled its column
// and may wrap onto the next line at the same left.
const FILLED_GAP = 4.5;
// Rounding on a weighed or counted line: the extension may differ from count x price by a cent.
const CENT_TOLERANCE = 1;

interface ItemLine {
  readonly total?: AmountWords;
  readonly quantities: readonly LayoutWord[];
  readonly unitPrices: readonly LayoutWord[];
  /** The words before the total that are none of the above (a name, codes, flags). */
  readonly rest: readonly LayoutWord[];
}

/** The last item line read: where its line and its name start, for the lines that continue it. */
interface Anchor {
  readonly lineLeft: number;
  readonly nameLeft: number;
  /** Whether its name ran up to its amount, so that it may wrap onto the next line. */
  readonly filled: boolean;
}

/**
 * Labels the item lines above the totals block: the rightmost amount is the LINE_TOTAL (a REFUND on a
 * returned item, a DISCOUNT when it is negative), counts are QUANTITY, prices after "@" or "x", before "EA", or
 * under a PRICE column are UNIT_PRICE, and the remaining words before the total are the PRODUCT_NAME. A column
 * header ("SKU DESCRIPTION QTY AMOUNT") says what each column of the lines below holds. A line that holds only
 * a quantity, a price and a total takes its product name from the line above ("BANANAS" / "2.31 lb @ 0.59
 * 1.36"); a line without an amount that starts under an item's name, or indented just under the item, continues
 * that item's name ("HEATHER GREY M", "  Extra Hot"). Items after a RETURN heading with a negative amount are
 * returned.
 */
export function labelLineItems(
  lines: readonly LayoutLine[],
  roles: ReadonlyArray<AmountRole | undefined>,
  end: number,
  proposals: ProposalSet,
): void {
  let columns: ItemColumns | undefined;
  let returning = false;
  let anchor: Anchor | undefined;
  for (const line of lines.slice(0, end)) {
    const header = readColumnHeader(line);
    if (header) {
      columns = header;
      anchor = undefined;
      continue;
    }
    const role = roles[line.index];
    // Savings and coupons are labelled with the totals. Other keywords above the totals are part of an item
    // ("DISCOVER MAGAZINE", "CHANGE PURSE"), or mark a returned one.
    if (role === 'DISCOUNT' || role === 'COUPON' || role === 'IGNORED' || role === 'FUEL') {
      anchor = undefined;
      continue;
    }
    const item = readItemLine(line, proposals, columns);
    if (role === 'REFUND' && !item.total) {
      returning = true;
      anchor = undefined;
      continue;
    }
    if (SALE_HEADING.test(line.upper)) returning = false;
    for (const word of item.quantities) {
      proposals.add(
        word,
        'QUANTITY',
        'item count or weight (before "@" or "x", after QTY, under a QTY column, or opening an item line)',
      );
    }
    for (const word of item.unitPrices) {
      proposals.add(
        word,
        'UNIT_PRICE',
        'price per unit (after "@" or "x", before "EA", or under a PRICE column)',
      );
    }
    if (!item.total) {
      if (anchor && continuesName(line, anchor, lines[line.index + 1], proposals, columns)) {
        const reasoning = 'line without an amount under an item, continuing its name or a modifier of it';
        proposals.claimAll(nameWords(line.words, false), 'PRODUCT_NAME', reasoning);
      } else if (item.quantities.length === 0 && item.unitPrices.length === 0) {
        anchor = undefined;
      }
      continue;
    }
    const isReturn = role === 'REFUND' || (returning && item.total.cents < 0);
    if (item.total.cents > 0) returning = false;
    labelItemTotal(item.total, isReturn, proposals);
    // A markdown line ("SC 1.00-") names the offer, not something bought.
    if (item.total.cents < 0 && !isReturn) {
      anchor = undefined;
      continue;
    }
    const product = nameWords(item.rest, isReturn);
    const previous = lines[line.index - 1];
    if (product.length > 0 || !previous) {
      proposals.claimAll(product, 'PRODUCT_NAME', 'words of an item line before its line total');
      const above = previous ? codedNameLine(previous, proposals) : [];
      proposals.claimAll(above, 'PRODUCT_NAME', 'name after an item code on the line above the item');
      const last = product.at(-1);
      const filled = last !== undefined && (item.total.words[0]?.left ?? 0) - last.right <= FILLED_GAP;
      anchor = nextAnchor(anchor, line.words[0]?.left ?? 0, product[0]?.left, filled);
    } else {
      const reasoning = 'name lines above a quantity / price line that has no name of its own';
      const nameLines = nameLinesAbove(lines, previous, proposals);
      for (const name of nameLines) proposals.claimAll(name, 'PRODUCT_NAME', reasoning);
      const head = nameLines[0]?.[0];
      anchor = head ? { lineLeft: head.left, nameLeft: head.left, filled: false } : undefined;
    }
  }
}

/** The item line becomes the anchor, unless it is itself a priced modifier indented under the anchor's name. */
function nextAnchor(
  anchor: Anchor | undefined,
  lineLeft: number,
  nameLeft: number | undefined,
  filled: boolean,
): Anchor {
  if (anchor && isIndented(lineLeft, anchor)) return anchor;
  return { lineLeft, nameLeft: nameLeft ?? lineLeft, filled };
}

function isIndented(left: number, anchor: Anchor): boolean {
  const indent = left - anchor.nameLeft;
  return indent >= MIN_INDENT && indent <= MAX_INDENT;
}

/**
 * Whether a line without an amount continues the anchor item's name: unlabelled, with a word of letters, no
 * register detail or long number, not the name of a nameless quantity line below it, and placed under the
 * name (when a code or count column precedes the name, or the name filled its column and wraps), or indented
 * just under the name (a modifier).
 */
function continuesName(
  line: LayoutLine,
  anchor: Anchor,
  next: LayoutLine | undefined,
  proposals: ProposalSet,
  columns: ItemColumns | undefined,
): boolean {
  const [first] = line.words;
  if (!first || line.words.some((w) => proposals.isClaimed(w))) return false;
  if (NOT_A_PRODUCT.test(line.upper) || LONG_NUMBER.test(line.upper)) return false;
  if (!line.words.some((w) => /[A-Z]{2}/.test(w.upper))) return false;
  if (next) {
    const below = readItemLine(next, proposals, columns);
    if (below.total && nameWords(below.rest, false).length === 0) return false;
  }
  const underName = Math.abs(first.left - anchor.nameLeft) <= ALIGNED;
  // A lone word at the item's left is more likely a heading ("HOUSEHOLD") than the end of a wrapped name.
  const wraps = anchor.nameLeft - anchor.lineLeft >= 2 || (anchor.filled && line.words.length > 1);
  return (underName && wraps) || isIndented(first.left, anchor);
}

function labelItemTotal(total: AmountWords, isReturn: boolean, proposals: ProposalSet): void {
  if (isReturn) proposals.claimAll(total.words, 'REFUND', 'amount of a returned item');
  else if (total.cents < 0)
    proposals.claimAll(total.words, 'DISCOUNT', 'negative amount among the items (a markdown)');
  else proposals.claimAll(total.words, 'LINE_TOTAL', 'rightmost amount of an item line above the totals');
}

function readItemLine(line: LayoutLine, proposals: ProposalSet, columns?: ItemColumns): ItemLine {
  const free = line.words.filter((w) => !proposals.isClaimed(w));
  const quantities = new Set<LayoutWord>();
  const unitPrices = new Set<LayoutWord>();
  const skipped = new Set<LayoutWord>();
  free.forEach((word, i) => {
    const previous = free[i - 1];
    const next = free[i + 1];
    const pricedTimes = TIMES.test(word.upper) && next !== undefined && PRICE.test(next.upper);
    if (QUANTITY_AT_PRICE.test(word.upper)) {
      quantities.add(word);
      unitPrices.add(word);
    } else if (word.text === '@' || QUANTITY_AT.test(word.upper) || pricedTimes) {
      skipped.add(word);
      const count = word.text === '@' || pricedTimes ? countBefore(free, i) : word;
      if (count) quantities.add(count);
      if (next && PRICE.test(next.upper)) unitPrices.add(next);
    } else if (TIMES.test(word.upper) && previous && INTEGER.test(previous.text)) {
      skipped.add(word);
      quantities.add(previous);
    } else if (QUANTITY_TIMES.test(word.upper) || QUANTITY_GLUED_KEYWORD.test(word.upper)) {
      quantities.add(word);
    } else if (QUANTITY_KEYWORD.test(word.upper)) {
      skipped.add(word);
      if (next && INTEGER.test(next.text)) quantities.add(next);
    } else if (EACH.test(word.upper)) {
      skipped.add(word);
      if (previous && PRICE.test(previous.upper)) unitPrices.add(previous);
    }
  });
  if (columns) {
    for (const word of free) {
      if (quantities.has(word) || unitPrices.has(word) || !isColumnNumber(word)) continue;
      const column = numericColumnOf(columns, word);
      if (column === 'QUANTITY') quantities.add(word);
      else if (column === 'UNIT_PRICE' && PRICE.test(word.upper)) unitPrices.add(word);
    }
  }
  const amounts = findAmounts(line, proposals).filter(
    (a) => !a.words.some((w) => unitPrices.has(w) || quantities.has(w)),
  );
  const total = amounts.at(-1);
  const totalAt = total?.words[0] ? free.indexOf(total.words[0]) : free.length;
  const open = () =>
    free.slice(0, totalAt).filter((w) => !quantities.has(w) && !unitPrices.has(w) && !skipped.has(w));
  if (total && !columns) {
    const counted = countAndPrice(open(), total);
    if (counted) {
      quantities.add(counted.count);
      unitPrices.add(counted.price);
    } else {
      const leading = leadingCount(free);
      if (leading) quantities.add(leading);
    }
  }
  for (const count of quantities) {
    const unit = free[free.indexOf(count) + 1];
    if (unit && QUANTITY_UNIT.test(unit.upper)) skipped.add(unit);
  }
  const nameStart = columns && nameColumnStart(columns);
  return {
    ...(total && { total }),
    quantities: [...quantities],
    unitPrices: [...unitPrices],
    rest: open().filter((w) => nameStart === undefined || w.left >= nameStart - ALIGNED),
  };
}

/**
 * A count and a unit price printed just before the total whose product is that total ("2  14.99  29.98",
 * "1.5  4.00  6.00"): the arithmetic tells them from a size in the name.
 */
function countAndPrice(
  words: readonly LayoutWord[],
  total: AmountWords,
): { count: LayoutWord; price: LayoutWord } | undefined {
  const [count, price] = words.slice(-2);
  if (!count || !price || !DECIMAL_OR_INTEGER.test(count.text) || !PRICE.test(price.upper)) return undefined;
  const cents = Math.round(Number(price.upper.replace(/^\$/, '').replace(/\/.*$|EA$/, '')) * 100);
  return Math.abs(Number(count.text) * cents - total.cents) <= CENT_TOLERANCE ? { count, price } : undefined;
}

/**
 * A count opening an item line ("2 Fish Tacos 25.98", "1 2 LITER COKE"), unless it is a size ("2 LITER COLA").
 */
function leadingCount(words: readonly LayoutWord[]): LayoutWord | undefined {
  const [first, second, third] = words;
  if (!first || !second || !INTEGER.test(first.text) || Number(first.text) === 0) return undefined;
  if (INTEGER.test(second.text) && third && SIZE_UNIT.test(third.upper)) return first;
  return /[A-Z]{2}/.test(second.upper) && !SIZE_UNIT.test(second.upper) ? first : undefined;
}

/** The count before an "@": the word just before it, or the number before its unit ("2.31 lb @"). */
function countBefore(words: readonly LayoutWord[], at: number): LayoutWord | undefined {
  const before = words[at - 1];
  if (before && DECIMAL_OR_INTEGER.test(before.text)) return before;
  const beforeUnit = words[at - 2];
  if (before && QUANTITY_UNIT.test(before.upper) && beforeUnit && DECIMAL_OR_INTEGER.test(beforeUnit.text)) {
    return beforeUnit;
  }
  return undefined;
}

/**
 * The product name among words: without item codes, tax flags, per-unit suffixes or the return keyword, and
 * trimmed of symbols at either end ("+ Guac"); symbols inside stay ("Chips & Salsa"). Empty without a word.
 */
function nameWords(words: readonly LayoutWord[], isReturn: boolean): LayoutWord[] {
  const kept = words.filter((word, i) => {
    if ((CODE.test(word.upper) && !(i === 0 && YEAR.test(word.upper))) || FLAG.test(word.upper)) return false;
    if (UNIT_SUFFIX.test(word.upper)) return false;
    if (isReturn && RETURN_KEYWORD.test(word.upper)) return false;
    // A one-letter department or tax flag before the item code ("E 1234567 ORG EGGS").
    const next = words[i + 1];
    return !(word.upper.length === 1 && next && CODE.test(next.upper));
  });
  const hasAlphanumeric = (w: LayoutWord) => /[A-Z0-9]/.test(w.upper);
  const first = kept.findIndex(hasAlphanumeric);
  const last = kept.findLastIndex(hasAlphanumeric);
  const name = first < 0 ? [] : kept.slice(first, last + 1);
  return name.some((w) => /[A-Z]{2}/.test(w.upper)) ? name : [];
}

/**
 * The name of a nameless quantity / price line: the line above it when that holds only a product name (no
 * amount, no label, no register detail besides a pump number), with the name line above that one when it is
 * indented under it ("Linen Wrap Dress" / "  SAGE  M" / "  RETURNED -118.00"). Top line first.
 */
function nameLinesAbove(
  lines: readonly LayoutLine[],
  line: LayoutLine,
  proposals: ProposalSet,
): LayoutWord[][] {
  const name = nameOnlyLine(line, proposals);
  if (name.length === 0) return [];
  const above = lines[line.index - 1];
  const head = above && nameOnlyLine(above, proposals);
  const indent = (line.words[0]?.left ?? 0) - (above?.words[0]?.left ?? 0);
  return above && head && head.length > 0 && indent >= MIN_INDENT && indent <= MAX_INDENT
    ? [head, name]
    : [name];
}

/** The name words of a line that holds only a product name, possibly after a pump number. */
function nameOnlyLine(line: LayoutLine, proposals: ProposalSet): LayoutWord[] {
  const pump = PUMP_PREFIX.exec(line.upper);
  const words = pump ? line.words.filter((w) => w.start >= pump[0].length) : line.words;
  const text = words.map((w) => w.upper).join(' ');
  if (NOT_A_PRODUCT.test(text) || LONG_NUMBER.test(text)) return [];
  if (line.words.some((w) => proposals.isClaimed(w)) || findAmounts(line, proposals).length > 0) return [];
  return nameWords(words, false);
}

/** The name words after an item code on the line above an item, when that line has no amount of its own. */
function codedNameLine(line: LayoutLine, proposals: ProposalSet): LayoutWord[] {
  const [code, ...rest] = line.words;
  if (!code || !LEADING_CODE.test(code.upper) || rest.length === 0) return [];
  if (line.words.some((w) => proposals.isClaimed(w)) || findAmounts(line, proposals).length > 0) return [];
  return nameWords(rest, false);
}
