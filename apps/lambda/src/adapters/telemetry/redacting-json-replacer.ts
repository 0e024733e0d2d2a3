import type { RedactText } from '../secrets/text-redactor.js';

/**
 * A `JSON.stringify` replacer that redacts every string and every key of a plain object, for the Powertools
 * logger (`jsonReplacerFn`): everything it prints, message, fields and formatted errors alike, goes through it.
 */
export function redactingJsonReplacer(redact: RedactText): (key: string, value: unknown) => unknown {
  return (_key, value) => {
    if (typeof value === 'string') return redact(value);
    if (!isPlainObject(value)) return value;
    const entries = Object.entries(value);
    if (entries.every(([name]) => redact(name) === name)) return value;
    return Object.fromEntries(entries.map(([name, item]) => [redact(name), item]));
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
