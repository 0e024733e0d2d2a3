import type { ProposalSet } from './proposal-set.js';
import { type LayoutLine, matchWords } from './receipt-layout.js';

const DAY = '(?:MON|TUE|TUES|WED|THU|THUR|THURS|FRI|SAT|SUN)(?:DAY|S)?\\.?';
const CLOCK = '\\d{1,2}(?::\\d{2})?\\s*(?:[AP]\\.?M\\.?|[AP](?![A-Z]))?';
const DAY_RANGE = new RegExp(`(?<![A-Z])${DAY}(?:\\s*(?:-|–|TO|THRU|THROUGH|&)\\s*${DAY})?(?![A-Z])`, 'g');
const CLOCK_RANGE = new RegExp(`(?<![\\d:])${CLOCK}\\s*(?:-|–|TO)\\s*${CLOCK}(?![\\d:])`, 'g');
const ALL_DAY = /(?<![\d:])24\s*(?:HOURS|HRS|\/\s*7)(?![A-Z])|\b(?:DAILY|EVERYDAY)\b/g;
const HOURS_KEYWORD = /\b(?:HOURS|HRS|OPEN|DAILY)\b/;

/**
 * Labels opening hours: the day ranges, clock ranges and "24 HOURS" / "DAILY" of a line that states hours
 * (it says HOURS or OPEN, or pairs days with a clock range). The lead-in words ("STORE HOURS:") are not labelled.
 */
export function labelStoreHours(lines: readonly LayoutLine[], proposals: ProposalSet): void {
  for (const line of lines) {
    const days = matchWords(line, DAY_RANGE);
    const clocks = matchWords(line, CLOCK_RANGE);
    const allDay = matchWords(line, ALL_DAY);
    const isHoursLine = HOURS_KEYWORD.test(line.upper) || (days.length > 0 && clocks.length > 0);
    if (!isHoursLine) continue;
    for (const { words } of [...days, ...clocks, ...allDay]) {
      proposals.claimAll(words, 'STORE_HOURS', 'opening hours (days and times the store is open)');
    }
  }
}
