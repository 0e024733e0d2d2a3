import { type AmountWords, findAmounts } from './amount-words.js';
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
const FLAG = /^<[A-Z0-9]{1,2}>$/;
const UNIT_SUFFIX = /^\/[A-Z]+$/;
const RETURN_KEYWORD = /^(?:RETURN(?:ED)?|REFUND(?:ED)?|RTN)$/;
// Register details printed among the items are not product names.
const NOT_A_PRODUCT =
  /^(?:CASHIER|SERVER|REG|STORE|TABLE|GUEST|ORDER|TRANS|TRN|OP|ST#|MGR|PUMP|SALE|CHECK)\b/;

interface ItemLine {
  readonly total?: AmountWords;
  readonly quantities: readonly LayoutWord[];
  readonly unitPrices: readonly LayoutWord[];
  readonly productWords: readonly LayoutWord[];
}

/**
 * Labels the item lines above the totals block: the rightmost amount is the LINE_TOTAL (a REFUND on a
 * returned item, a DISCOUNT when it is negative), counts are QUANTITY, prices after "@" or before "EA" are
 * UNIT_PRICE, and the remaining words before the total are the PRODUCT_NAME. A line that holds only a
 * quantity, a price and a total takes its product name from the line above ("BANANAS" / "2.31 lb @ 0.59 1.36").
 */
export function labelLineItems(
  lines: readonly LayoutLine[],
  roles: ReadonlyArray<AmountRole | undefined>,
  end: number,
  proposals: ProposalSet,
): void {
  for (const line of lines.slice(0, end)) {
    const role = roles[line.index];
    // Savings and coupons are labelled with the totals. Other keywords above the totals are part of an item
    // ("DISCOVER MAGAZINE", "CHANGE PURSE"), or mark a returned one.
    if (role === 'DISCOUNT' || role === 'COUPON' || role === 'IGNORED') continue;
    const isReturn = role === 'REFUND';
    const item = readItemLine(line, proposals, isReturn);
    for (const word of item.quantities) {
      proposals.add(
        word,
        'QUANTITY',
        'item count or weight (before "@" or "x", after QTY, or opening an item line)',
      );
    }
    for (const word of item.unitPrices) {
      proposals.add(word, 'UNIT_PRICE', 'price per unit (after "@" or before "EA")');
    }
    if (!item.total) continue;
    labelItemTotal(item.total, isReturn, proposals);
    // A markdown line ("SC 1.00-") names the offer, not something bought.
    if (item.total.cents < 0 && !isReturn) continue;
    const previous = lines[line.index - 1];
    if (item.productWords.length > 0 || !previous) {
      proposals.claimAll(item.productWords, 'PRODUCT_NAME', 'words of an item line before its line total');
    } else {
      const reasoning = 'name line above a quantity / price line that has no name of its own';
      proposals.claimAll(nameOnlyLine(previous, proposals), 'PRODUCT_NAME', reasoning);
    }
  }
}

function labelItemTotal(total: AmountWords, isReturn: boolean, proposals: ProposalSet): void {
  if (isReturn) proposals.claimAll(total.words, 'REFUND', 'amount of a returned item');
  else if (total.cents < 0)
    proposals.claimAll(total.words, 'DISCOUNT', 'negative amount among the items (a markdown)');
  else proposals.claimAll(total.words, 'LINE_TOTAL', 'rightmost amount of an item line above the totals');
}

function readItemLine(line: LayoutLine, proposals: ProposalSet, isReturn: boolean): ItemLine {
  const free = line.words.filter((w) => !proposals.isClaimed(w));
  const quantities = new Set<LayoutWord>();
  const unitPrices = new Set<LayoutWord>();
  const skipped = new Set<LayoutWord>();
  free.forEach((word, i) => {
    const previous = free[i - 1];
    const next = free[i + 1];
    if (QUANTITY_AT_PRICE.test(word.upper)) {
      quantities.add(word);
      unitPrices.add(word);
    } else if (word.text === '@' || QUANTITY_AT.test(word.upper)) {
      skipped.add(word);
      const count = word.text === '@' ? countBefore(free, i) : word;
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
  const amounts = findAmounts(line, proposals).filter(
    (a) => !a.words.some((w) => unitPrices.has(w) || quantities.has(w)),
  );
  const total = amounts.at(-1);
  const leading = leadingCount(free);
  if (total && leading) quantities.add(leading);
  for (const count of quantities) {
    const unit = free[free.indexOf(count) + 1];
    if (unit && QUANTITY_UNIT.test(unit.upper)) skipped.add(unit);
  }
  const totalAt = total?.words[0] ? free.indexOf(total.words[0]) : free.length;
  const beforeTotal = free
    .slice(0, totalAt)
    .filter((w) => !quantities.has(w) && !unitPrices.has(w) && !skipped.has(w));
  return {
    ...(total && { total }),
    quantities: [...quantities],
    unitPrices: [...unitPrices],
    productWords: nameWords(beforeTotal, isReturn),
  };
}

/** A count opening an item line ("2 Fish Tacos 25.98"), unless it is a size ("2 LITER COLA"). */
function leadingCount(words: readonly LayoutWord[]): LayoutWord | undefined {
  const [first, second] = words;
  if (!first || !second || !INTEGER.test(first.text) || Number(first.text) === 0) return undefined;
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
    if (CODE.test(word.upper) || FLAG.test(word.upper) || UNIT_SUFFIX.test(word.upper)) return false;
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

/** The words of the line above when it holds only a product name (no amount, no label, no register detail). */
function nameOnlyLine(line: LayoutLine, proposals: ProposalSet): LayoutWord[] {
  if (NOT_A_PRODUCT.test(line.upper)) return [];
  if (line.words.some((w) => proposals.isClaimed(w)) || findAmounts(line, proposals).length > 0) return [];
  return nameWords(line.words, false);
}
