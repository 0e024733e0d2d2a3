import { InvalidArgumentError } from '@commander-js/extra-typings';
import { MAX_KEY_NUMBER, parseUuid } from '@receipt-gate/core';

/** An image id as the table keys it: a UUID of version 4 or 5. */
export function imageIdArgument(value: string): string {
  try {
    return parseUuid('image id', value);
  } catch {
    throw new InvalidArgumentError(
      `expected a UUID (version 4 or 5), e.g. 3f2c9a4e-8b1d-4c6e-9f0a-2b7d5e1c8a93`,
    );
  }
}

/** A receipt id: a positive integer that fits the keys' 5 digits. */
export function receiptIdArgument(value: string): number {
  const id = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(id) || id < 1 || id > MAX_KEY_NUMBER) {
    throw new InvalidArgumentError(`expected a positive integer of at most ${MAX_KEY_NUMBER}`);
  }
  return id;
}

/** A run id: a UUID of version 4 or 5. */
export function runIdArgument(value: string): string {
  try {
    return parseUuid('run id', value);
  } catch {
    throw new InvalidArgumentError('expected a UUID (version 4 or 5)');
  }
}

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration: `500ms`, `90s`, `2m`, `1h`, `7d`; a bare number is seconds. */
export function durationArgument(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  const ms = match ? Math.round(Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1_000)) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0 || ms > 365 * 86_400_000) {
    throw new InvalidArgumentError('expected a duration such as 500ms, 90s, 2m, 1h or 7d');
  }
  return ms;
}

/** A count of at least 1. */
export function positiveIntegerArgument(value: string): number {
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(count) || count < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return count;
}

/** "2m 5.0s" style, for people. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const both = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit} ${small}${smallUnit}`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return both(minutes, 'm', Math.floor((ms % 60_000) / 1_000), 's');
  const hours = Math.floor(minutes / 60);
  return hours < 48
    ? both(hours, 'h', minutes % 60, 'm')
    : both(Math.floor(hours / 24), 'd', hours % 24, 'h');
}
