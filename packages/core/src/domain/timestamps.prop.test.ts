import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp, timestampToEpochMs } from './timestamps.js';

// Any instant, written as the existing services may write it (any offset, with or without a fraction, or naive UTC),
// reads back as that instant: the order of labels and runs does not depend on who wrote them.

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `epochMs` as local time at `offsetMinutes` east of UTC, with that offset (`+05:30`, `-07:00`, `+00:00`). */
function atOffset(epochMs: number, offsetMinutes: number, fraction: 'none' | 'ms' | 'us'): string {
  const local = new Date(epochMs + offsetMinutes * 60_000);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  const ms = pad(local.getUTCMilliseconds(), 3);
  const decimals = fraction === 'none' ? '' : fraction === 'ms' ? `.${ms}` : `.${ms}417`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${date}T${time}${decimals}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const instants = fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2999, 11, 31) });
const offsets = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });
const fractions = fc.constantFrom<'none' | 'ms' | 'us'>('none', 'ms', 'us');
const expected = (epochMs: number, fraction: 'none' | 'ms' | 'us') =>
  fraction === 'none' ? epochMs - (epochMs % 1000) : epochMs;

/** The property, for a reader of instants. */
const readsTheInstant = (read: (timestamp: string) => number) =>
  fc.property(instants, offsets, fractions, (epochMs, offset, fraction) => {
    const timestamp = atOffset(epochMs, offset, fraction);
    expect(parseTimestamp('t', timestamp)).toBe(timestamp);
    expect(read(timestamp)).toBe(expected(epochMs, fraction));
  });

describe('timestamps (property)', () => {
  it('reads any instant at any offset, with or without a fraction, as that instant', () => {
    fc.assert(readsTheInstant(timestampToEpochMs));
  });

  it('reads a naive time as UTC', () => {
    fc.assert(
      fc.property(instants, (epochMs) => {
        const naive = new Date(epochMs).toISOString().slice(0, -1);
        expect(timestampToEpochMs(naive)).toBe(epochMs);
      }),
    );
  });

  it('(the property catches a reader that drops the offset, as one that only knew UTC did)', () => {
    const utcOnly = (timestamp: string) => Date.parse(`${timestamp.slice(0, 19)}Z`);
    expect(() => fc.assert(readsTheInstant(utcOnly))).toThrow();
  });
});
