import { secretForms } from './secret-forms.js';

export const REDACTED = '[redacted]';
/**
 * A fragment of a secret this long is caught wherever it appears. Shorter fragments are not: they occur in
 * ordinary text too often, and leak too little of a 16+ character key to matter.
 */
export const FRAGMENT_LENGTH = 8;

/** Replaces secrets in a text; returns the very same string when there is nothing to replace. */
export type RedactText = (text: string) => string;

const unchanged: RedactText = (text) => text;

/**
 * Builds a function that replaces, in any text, every secret and every fragment of at least `FRAGMENT_LENGTH`
 * characters of it, in each of its encoded forms (`secretForms`); adjacent and overlapping matches become one
 * `[redacted]`. Secrets shorter than a fragment are matched whole. `scrub` runs afterwards, for secrets held
 * where their value cannot be read (the Ollama config redacts its own key).
 */
export function textRedactor(secrets: Iterable<string | undefined>, scrub?: RedactText): RedactText {
  const forms = [...secrets].flatMap((secret) => (secret ? secretForms(secret) : []));
  const own = fragmentRedactor(forms);
  return scrub ? (text) => scrub(own(text)) : own;
}

/**
 * Replaces every fragment of at least `FRAGMENT_LENGTH` characters of the given strings, taken literally (and
 * those strings whole when shorter).
 */
export function fragmentRedactor(literals: Iterable<string>): RedactText {
  const fragments = new Set<string>();
  const wholes = new Set<string>();
  for (const literal of literals) {
    if (literal.length < FRAGMENT_LENGTH) {
      if (literal) wholes.add(literal);
      continue;
    }
    for (let at = 0; at + FRAGMENT_LENGTH <= literal.length; at++) {
      fragments.add(literal.slice(at, at + FRAGMENT_LENGTH));
    }
  }
  if (fragments.size === 0 && wholes.size === 0) return unchanged;
  return (text) => replaceSpans(text, spansOf(text, fragments, wholes));
}

type Span = [start: number, end: number];

function spansOf(text: string, fragments: ReadonlySet<string>, wholes: ReadonlySet<string>): Span[] {
  const spans: Span[] = [];
  for (let at = 0; at + FRAGMENT_LENGTH <= text.length; at++) {
    if (fragments.has(text.slice(at, at + FRAGMENT_LENGTH))) spans.push([at, at + FRAGMENT_LENGTH]);
  }
  for (const whole of wholes) {
    for (let at = text.indexOf(whole); at !== -1; at = text.indexOf(whole, at + 1)) {
      spans.push([at, at + whole.length]);
    }
  }
  return spans;
}

function replaceSpans(text: string, spans: Span[]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Span[] = [];
  for (const [start, end] of spans) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  let result = '';
  let copied = 0;
  for (const [start, end] of merged) {
    result += `${text.slice(copied, start)}${REDACTED}`;
    copied = end;
  }
  return result + text.slice(copied);
}

/** Whether `text` holds any of the secrets or a fragment or encoding of one (as `textRedactor` would find it). */
export function containsSecret(text: string, secrets: Iterable<string | undefined>): boolean {
  return textRedactor(secrets)(text) !== text;
}
