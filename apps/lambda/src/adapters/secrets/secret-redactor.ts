import { type RedactText, textRedactor } from './text-redactor.js';

export type RedactValue = <T>(value: T) => T;

/**
 * Builds a function that redacts the given secrets (`textRedactor`: fragments and encodings too) in the strings
 * and keys of a value, at any depth.
 */
export function secretRedactor(
  secrets: Iterable<string | undefined>,
  /** Another scrubber of text, for secrets held where their value cannot be read (the Ollama config). */
  scrub?: RedactText,
): RedactValue {
  return valueRedactor(textRedactor(secrets, scrub));
}

/**
 * Applies `redactText` to the strings (and keys) of a value, at any depth, following the JSON view of it
 * (`toJSON` first, then own enumerable properties) since that is what gets sent. Parts without a secret are
 * returned as they are, so a clean trace is sent unchanged.
 */
export function valueRedactor(redactText: RedactText): RedactValue {
  const redact = (value: unknown, onPath: Set<object>, done: WeakMap<object, unknown>): unknown => {
    if (typeof value === 'string') return redactText(value);
    if (typeof value !== 'object' || value === null) return value;
    if (done.has(value)) return done.get(value);
    // The serializer prints a cycle as "[Circular]" too; the original would put unredacted text back in.
    if (onPath.has(value)) return '[Circular]';
    onPath.add(value);
    let result: unknown = value;
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(value);
      const redacted = redact(json, onPath, done);
      if (redacted !== json) result = redacted;
    } else if (Array.isArray(value)) {
      const items = value.map((item) => redact(item, onPath, done));
      if (items.some((item, index) => item !== value[index])) result = items;
    } else {
      const original = Object.entries(value);
      const entries = original.map(([key, item]) => [redactText(key), redact(item, onPath, done)] as const);
      if (
        entries.some(([key, item], index) => key !== original[index]?.[0] || item !== original[index]?.[1])
      ) {
        result = Object.fromEntries(entries);
      }
    }
    onPath.delete(value);
    done.set(value, result);
    return result;
  };
  return <T>(value: T) => redact(value, new Set(), new WeakMap()) as T;
}
