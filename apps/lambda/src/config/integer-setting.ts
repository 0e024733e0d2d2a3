import { shownValue } from './shown-value.js';

/** `setTimeout` fires at once (with a warning) for any longer delay, so no millisecond setting may exceed it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** A Lambda invocation's longest run: no wait, reserve or call inside one can usefully last longer. */
export const LAMBDA_MAX_MS = 900_000;

export interface IntegerRange {
  readonly min: number;
  readonly max: number;
  /** Named in errors (`milliseconds`); none for counts. */
  readonly unit?: string;
}

/** A range of milliseconds; refuses (at module load) one that a timer could not honour. */
export function msRange(min: number, max: number): IntegerRange {
  if (!(Number.isSafeInteger(min) && Number.isSafeInteger(max) && 0 <= min && min <= max)) {
    throw new RangeError(`invalid millisecond range ${min}..${max}`);
  }
  if (max > MAX_TIMER_MS) throw new RangeError(`${max} ms is beyond what a timer can wait (${MAX_TIMER_MS})`);
  return { min, max, unit: 'milliseconds' };
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads one whole-number setting. Unset or empty gives `undefined` (the caller's default); anything but decimal
 * digits (surrounding spaces aside) or a value outside `range` adds a problem naming the variable.
 */
export function readInteger(
  env: Env,
  name: string,
  range: IntegerRange,
  problems: string[],
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const digits = raw.trim();
  const value = /^\d+$/.test(digits) ? Number(digits) : Number.NaN;
  if (inRange(value, range)) return value;
  problems.push(`${name} must be ${describeRange(range)}, got ${shownValue(raw)}`);
  return undefined;
}

/** Why a value given in code (not read from text) is out of `range`, naming the setting; undefined if it fits. */
export function integerProblem(
  name: string,
  value: number | undefined,
  range: IntegerRange,
): string | undefined {
  if (value === undefined || inRange(value, range)) return undefined;
  return `${name} must be ${describeRange(range)}, got ${value}`;
}

function inRange(value: number, { min, max }: IntegerRange): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

function describeRange({ min, max, unit }: IntegerRange): string {
  return `a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
}
