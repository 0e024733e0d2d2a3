import type { ProposalSet } from './proposal-set.js';
import { type LayoutLine, type LayoutWord, matchWords } from './receipt-layout.js';

const MONTH =
  'JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?|SEPT?(?:EMBER)?|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?';
// A weekday printed before the date ("SAT, NOV 29 2026") is part of it.
const WEEKDAY = '(?:(?:MON|TUE|TUES|WED|THU|THUR|THURS|FRI|SAT|SUN)[A-Z]*\\.?,?\\s+)?';

interface DateFormat {
  readonly pattern: RegExp;
  readonly description: string;
  /** Month and day read from the match, to reject digit runs that are not dates. */
  readonly monthDay: (match: RegExpExecArray) => [number, number];
}

const numericMonthDay = (first: string | undefined, second: string | undefined): [number, number] => [
  Number(first),
  Number(second),
];

const DATE_FORMATS: readonly DateFormat[] = [
  {
    pattern: /(?<![\d/.-])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d/.-])/g,
    description: 'a date pattern YYYY-MM-DD',
    monthDay: (m) => numericMonthDay(m[3], m[4]),
  },
  {
    pattern: /(?<![\d/.-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-]|:\d)/g,
    description: 'a date pattern MM/DD/YYYY',
    // Month first as in the US; a day-first date (29/11/2026) is read the other way round.
    monthDay: (m) => (Number(m[1]) > 12 ? numericMonthDay(m[3], m[1]) : numericMonthDay(m[1], m[3])),
  },
  {
    pattern: new RegExp(
      `(?<![A-Z])${WEEKDAY}(?:${MONTH})\\.?[\\s-]*(\\d{1,2})(?:ST|ND|RD|TH)?(?:,\\s*|[\\s-]+)'?(\\d{4}|\\d{2})(?![\\d:])`,
      'g',
    ),
    description: 'a date with a month name (Nov 29 2026)',
    monthDay: (m) => [1, Number(m[1])],
  },
  {
    pattern: new RegExp(
      `(?<![A-Z\\d])${WEEKDAY}(\\d{1,2})[\\s-]*(?:${MONTH})\\.?[\\s,-]*'?(\\d{4}|\\d{2})(?![\\d:])`,
      'g',
    ),
    description: 'a date with a month name (29 NOV 26)',
    monthDay: (m) => [1, Number(m[1])],
  },
];

// A weekday standing as its own word just before a date ("Sat 11/29/2026") is part of it.
const WEEKDAY_WORD = /^(?:MON|TUE|TUES|WED|THU|THUR|THURS|FRI|SAT|SUN)(?:DAY)?\.?,?$/;

// Hours, minutes, optional seconds and an optional AM/PM that may stand in the next word.
const TIME = /(?<![\d:.])(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AP])\.?M?\.?(?![A-Z]))?(?![\d:])/g;

function isValidMonthDay([month, day]: [number, number]): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** Labels dates in any of the formats receipts print (numeric, ISO, or with a month name). */
export function labelDates(lines: readonly LayoutLine[], proposals: ProposalSet): void {
  for (const line of lines) {
    for (const format of DATE_FORMATS) {
      for (const { match, words } of matchWords(line, format.pattern)) {
        if (!isValidMonthDay(format.monthDay(match)) || words.some((w) => proposals.isClaimed(w))) continue;
        const before = line.words[line.words.indexOf(words[0] as LayoutWord) - 1];
        const weekday = before && WEEKDAY_WORD.test(before.upper) ? [before] : [];
        proposals.claimAll([...weekday, ...words], 'DATE', `matches ${format.description}`);
      }
    }
  }
}

/** Labels times of day: 12:34, 12:34:56, 12:34 PM, 1:05pm. */
export function labelTimes(lines: readonly LayoutLine[], proposals: ProposalSet): void {
  for (const line of lines) {
    for (const { match, words } of matchWords(line, TIME)) {
      const [, hours, minutes, seconds, meridiem] = match;
      const maxHours = meridiem ? 12 : 23;
      if (Number(hours) > maxHours || Number(minutes) > 59 || Number(seconds ?? 0) > 59) continue;
      if (words.some((w) => proposals.isClaimed(w))) continue;
      proposals.claimAll(words, 'TIME', `matches a time pattern ${meridiem ? 'HH:MM AM/PM' : 'HH:MM'}`);
    }
  }
}
