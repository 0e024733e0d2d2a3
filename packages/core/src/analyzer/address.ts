import { parseMoney } from './money.js';
import type { ProposalSet } from './proposal-set.js';
import type { LayoutLine, LayoutWord } from './receipt-layout.js';

const STREET_SUFFIX =
  'ST|STREET|AVE|AVENUE|AV|RD|ROAD|BLVD|BOULEVARD|DR|DRIVE|HWY|HIGHWAY|LN|LANE|WAY|PKWY|PARKWAY|CT|COURT|PL|PLACE|CIR|CIRCLE|TER|TERRACE|PIKE|TRL|TRAIL|SQ|PLZ|PLAZA|EXPY|FWY|LOOP|RTE|ROUTE|CTR|CENTER|MALL|ROW|XING';
// "1450 W CHESTNUT ST", "3100 US HWY 80 E", "2200 Bayshore Blvd, Tampa, FL 33629".
const STREET_LINE = new RegExp(`^\\d{1,6}[A-Z]?\\s+(?:[A-Z0-9.'#-]+\\s+)*?(?:${STREET_SUFFIX})\\b`);
const UNIT_LINE = /^(?:SUITE|STE|UNIT|BLDG|BUILDING|FLOOR|FL)\.?\s*#?\s*[A-Z0-9-]+$/;
const STATES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR';
// "SPRINGFIELD, IL 62704", "Portland OR 97209-1234"; without a ZIP ("Tampa, FL") only below a street line.
const CITY_ZIP_LINE = new RegExp(`^[A-Z][A-Z .'-]*?,?\\s+(?:${STATES})\\.?,?\\s+\\d{5}(?:-\\d{4})?$`);
const CITY_LINE = new RegExp(`^[A-Z][A-Z .'-]*?,\\s*(?:${STATES})\\.?$`);
const PHONE_KEYWORD = /^(?:TEL|PHONE|PH|PHN|FAX)\b/;

/**
 * Labels every word of the address lines and returns the store's address as printed: the first block of
 * consecutive address lines, joined with ", ".
 */
export function labelAddressLines(lines: readonly LayoutLine[], proposals: ProposalSet): string | undefined {
  const firstBlock: string[] = [];
  let previousIsAddress = false;
  for (const line of lines) {
    const words = addressWords(line, proposals, previousIsAddress);
    if (words.length > 0) {
      const reasoning = 'part of the store address (street, suite or city, state and ZIP)';
      proposals.claimAll(words, 'ADDRESS_LINE', reasoning);
      if (previousIsAddress || firstBlock.length === 0) firstBlock.push(words.map((w) => w.text).join(' '));
    }
    previousIsAddress = words.length > 0;
  }
  return firstBlock.length > 0 ? firstBlock.join(', ') : undefined;
}

/** The words of a line that form an address line, or none. Weaker forms count only right below an address line. */
function addressWords(line: LayoutLine, proposals: ProposalSet, afterAddress: boolean): LayoutWord[] {
  const free = line.words.filter((w) => !proposals.isClaimed(w) && !PHONE_KEYWORD.test(w.upper));
  if (free.length === 0 || free.some((w) => parseMoney(w.text) !== undefined)) return [];
  const text = free.map((w) => w.upper).join(' ');
  const isAddress =
    STREET_LINE.test(text) ||
    CITY_ZIP_LINE.test(text) ||
    (afterAddress && (UNIT_LINE.test(text) || CITY_LINE.test(text)));
  return isAddress ? free : [];
}
