import { parseMoney } from './money.js';
import type { ProposalSet } from './proposal-set.js';
import { type LayoutLine, type LayoutWord, withOcrDigits } from './receipt-layout.js';

const STREET_SUFFIX =
  'ST|STREET|AVE|AVENUE|AV|RD|ROAD|BLVD|BOULEVARD|DR|DRIVE|HWY|HIGHWAY|LN|LANE|WAY|PKWY|PARKWAY|CT|COURT|PL|PLACE|CIR|CIRCLE|TER|TERRACE|PIKE|TRL|TRAIL|SQ|PLZ|PLAZA|EXPY|FWY|LOOP|RTE|ROUTE|CTR|CENTER|MALL|ROW|XING';
// "1450 W CHESTNUT ST", "3100 US HWY 80 E", "2200 Bayshore Blvd, Tampa, FL 33629".
const STREET_LINE = new RegExp(`^\\d{1,6}[A-Z]?\\s+(?:[A-Z0-9.'#-]+\\s+)*?(?:${STREET_SUFFIX})\\b`);
const UNIT_LINE = /^(?:SUITE|STE|UNIT|BLDG|BUILDING|FLOOR|FL)\.?\s*#?\s*[A-Z0-9-]+$/;
const STATE_CODES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR';
// Some receipts spell the state out ("Aurora, Colorado 80012").
const STATE_NAMES =
  'ALABAMA|ALASKA|ARIZONA|ARKANSAS|CALIFORNIA|COLORADO|CONNECTICUT|DELAWARE|DISTRICT OF COLUMBIA|FLORIDA|GEORGIA|HAWAII|IDAHO|ILLINOIS|INDIANA|IOWA|KANSAS|KENTUCKY|LOUISIANA|MAINE|MARYLAND|MASSACHUSETTS|MICHIGAN|MINNESOTA|MISSISSIPPI|MISSOURI|MONTANA|NEBRASKA|NEVADA|NEW HAMPSHIRE|NEW JERSEY|NEW MEXICO|NEW YORK|NORTH CAROLINA|NORTH DAKOTA|OHIO|OKLAHOMA|OREGON|PENNSYLVANIA|RHODE ISLAND|SOUTH CAROLINA|SOUTH DAKOTA|TENNESSEE|TEXAS|UTAH|VERMONT|VIRGINIA|WASHINGTON|WEST VIRGINIA|WISCONSIN|WYOMING|PUERTO RICO';
const STATES = `${STATE_CODES}|${STATE_NAMES}`;
// "SPRINGFIELD, IL 62704", "Portland OR 97209-1234"; without a ZIP ("Tampa, FL") only below a street line.
const CITY_ZIP_LINE = new RegExp(`^[A-Z][A-Z .'-]*?,?\\s+(?:${STATES})\\.?,?\\s+\\d{5}(?:-\\d{4})?$`);
const CITY_LINE = new RegExp(`^[A-Z][A-Z .'-]*?,\\s*(?:${STATES})\\.?$`);
const PHONE_KEYWORD = /^(?:TEL|PHONE|PH|PHN|FAX)\b/;
// A house number and a street without a suffix ("2716 N Broadway"): an address only right above a city line.
const NUMBERED_LINE = /^\d{1,6}[A-Z]?\s+(?:[A-Z0-9.'#-]+\s*){1,5}$/;

/**
 * Labels every word of the address lines and returns the store's address as printed (with the OCR's letter O
 * inside numbers read as a zero): the first block of consecutive address lines, joined with ", ".
 */
export function labelAddressLines(lines: readonly LayoutLine[], proposals: ProposalSet): string | undefined {
  const firstBlock: string[] = [];
  let previousIsAddress = false;
  lines.forEach((line, i) => {
    const next = lines[i + 1];
    const beforeCity =
      next !== undefined && addressWords(next, proposals, true).length > 0 && isCityLine(next);
    const words = addressWords(line, proposals, previousIsAddress, beforeCity);
    if (words.length > 0) {
      const reasoning = 'part of the store address (street, suite or city, state and ZIP)';
      proposals.claimAll(words, 'ADDRESS_LINE', reasoning);
      if (previousIsAddress || firstBlock.length === 0) {
        firstBlock.push(words.map((w) => withOcrDigits(w.text)).join(' '));
      }
    }
    previousIsAddress = words.length > 0;
  });
  return firstBlock.length > 0 ? firstBlock.join(', ') : undefined;
}

function freeText(line: LayoutLine, proposals: ProposalSet): { free: LayoutWord[]; text: string } {
  const free = line.words.filter((w) => !proposals.isClaimed(w) && !PHONE_KEYWORD.test(w.upper));
  return { free, text: free.map((w) => w.upper).join(' ') };
}

function isCityLine(line: LayoutLine): boolean {
  const text = line.words.map((w) => w.upper).join(' ');
  return CITY_ZIP_LINE.test(text);
}

/**
 * The words of a line that form an address line, or none. Weaker forms count only right below an address line
 * (a suite, a city without ZIP) or right above a city line (a numbered street without a suffix).
 */
function addressWords(
  line: LayoutLine,
  proposals: ProposalSet,
  afterAddress: boolean,
  beforeCity = false,
): LayoutWord[] {
  const { free, text } = freeText(line, proposals);
  if (free.length === 0 || free.some((w) => parseMoney(w.text) !== undefined)) return [];
  const isAddress =
    STREET_LINE.test(text) ||
    CITY_ZIP_LINE.test(text) ||
    (afterAddress && (UNIT_LINE.test(text) || CITY_LINE.test(text))) ||
    (beforeCity && NUMBERED_LINE.test(text));
  return isAddress ? free : [];
}
