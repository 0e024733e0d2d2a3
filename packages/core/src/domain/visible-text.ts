import { InvalidValueError } from '../errors/invalid-value-error.js';
import { describeValue } from './ids.js';

// What prints nothing: control characters (C0, DEL, C1), format characters (zero-width space, joiners, the byte
// order mark, soft hyphen, bidirectional marks...) and every kind of space or line break.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\s]/gu;

/** Whether `text` shows nothing once control, zero-width and other format characters and spaces are removed. */
export function isBlankText(text: string): boolean {
  return text.replaceAll(INVISIBLE, '') === '';
}

/** A string that must show something: refused when it is blank in the sense of `isBlankText`. */
export function parseVisibleText(field: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new InvalidValueError(field, `expected a string, got ${describeValue(value)}`);
  }
  if (isBlankText(value)) {
    throw new InvalidValueError(
      field,
      `expected text with at least one visible character, got ${describeValue(value)}`,
    );
  }
  return value;
}
