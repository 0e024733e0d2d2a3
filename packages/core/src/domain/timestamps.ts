import { InvalidValueError } from '../errors/invalid-value-error.js';
import { describeValue } from './ids.js';

// ISO-8601 in UTC: `Z` as we write it, `+00:00` as the Python services write it, or no offset at all, which
// Python's naive `datetime.utcnow().isoformat()` writes and which means UTC there.
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|\+00:00)?$/;

/** Accepts an ISO-8601 UTC timestamp and returns it unchanged (other services' format is kept as written). */
export function parseTimestamp(field: string, value: unknown): string {
  if (
    typeof value !== 'string' ||
    !ISO_UTC.test(value) ||
    Number.isNaN(Date.parse(`${value.slice(0, 19)}Z`))
  ) {
    throw new InvalidValueError(field, `expected an ISO-8601 UTC timestamp, got ${describeValue(value)}`);
  }
  return value;
}

export function parseOptionalTimestamp(field: string, value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : parseTimestamp(field, value);
}

/** The timestamp format we write, from a clock reading in epoch milliseconds. */
export function toTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
