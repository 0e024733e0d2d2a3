import { InvalidValueError } from '../errors/invalid-value-error.js';
import { describeValue } from './ids.js';

// ISO-8601 as Python's `datetime.fromisoformat` reads it, which is how the existing services read every timestamp:
// a date (extended or basic), optionally a time after `T` or a space (hours, minutes, seconds, any fraction), and
// optionally an offset (`Z`, `+00:00`, `-07:00`, `+0530`, `+05`). Without an offset the time is naive; the
// existing services write naive times from `utcnow()`, so a naive time means UTC.
const ISO_8601 =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d+)?)?)?)?)?$/;

/** Accepts any ISO-8601 timestamp the existing services can read and returns it unchanged (kept as written). */
export function parseTimestamp(field: string, value: unknown): string {
  if (typeof value !== 'string' || epochMsOf(value) === undefined) {
    throw new InvalidValueError(field, `expected an ISO-8601 timestamp, got ${describeValue(value)}`);
  }
  return value;
}

export function parseOptionalTimestamp(field: string, value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : parseTimestamp(field, value);
}

/**
 * The instant of a timestamp `parseTimestamp` accepts, in epoch ms (a fraction beyond milliseconds truncated, a
 * naive time read as UTC). `Date.parse` cannot be used: it reads a naive time as local time.
 */
export function timestampToEpochMs(timestamp: string): number {
  const ms = epochMsOf(timestamp);
  if (ms === undefined) {
    throw new InvalidValueError(
      'timestamp',
      `expected an ISO-8601 timestamp, got ${describeValue(timestamp)}`,
    );
  }
  return ms;
}

/** The timestamp format we write, from a clock reading in epoch milliseconds. */
export function toTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

function epochMsOf(value: string): number | undefined {
  const match = ISO_8601.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = match[7] ?? '';
  const offset = offsetMinutes(match[8]);
  // Python's datetime has no year 0 (MINYEAR is 1), so the existing services cannot read one.
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offset === undefined) return undefined;
  const utc = new Date(0);
  // setUTCFullYear, not Date.UTC: years 0-99 would otherwise be read as 1900-1999.
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')));
  return utc.getTime() - offset * 60_000;
}

/** Days of a month of the proleptic Gregorian calendar (setUTCFullYear: Date.UTC reads years 0-99 as 19xx). */
function daysInMonth(year: number, month: number): number {
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return last.getUTCDate();
}

/** Minutes east of UTC; 0 for `Z` or none; undefined when out of range. */
function offsetMinutes(offset: string | undefined): number | undefined {
  if (offset === undefined || offset === 'Z') return 0;
  const digits = offset.slice(1).replaceAll(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || 0);
  if (hours > 23 || minutes > 59) return undefined;
  return (offset.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}
