import { mulberry32 } from '@receipt-gate/core/testing';
import { describe, expect, it } from 'vitest';
import { canaryNeedles } from '../../../test/canary.js';
import {
  containsSecret,
  FRAGMENT_LENGTH,
  fragmentRedactor,
  REDACTED,
  type RedactText,
  textRedactor,
} from './text-redactor.js';

/** Shaped like real keys; the second has characters that percent-encoding and base64 treat specially. */
const KEYS = [
  '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',
  'ok+7d2e/9b4a=1c6f~8e3d.5b0a!2c4e*6f8a',
] as const;

interface Leak {
  readonly how: string;
  readonly text: string;
}

/** The ways a fragment of a key reaches text in the reports and beyond, with context before and after. */
function leaksOf(fragment: string, before: string, after: string): Leak[] {
  const around = `${before}${fragment}${after}`;
  const base64 = Buffer.from(around).toString('base64');
  return [
    { how: 'verbatim', text: `401 Unauthorized: invalid token ${around}.` },
    { how: 'json', text: JSON.stringify({ detail: `Invalid token ${around}`, status: 401 }) },
    { how: 'percent-encoded', text: `GET /v1/runs?api_key=${encodeURIComponent(around)}&x=1` },
    { how: 'base64', text: `Authorization: Basic ${base64}` },
    { how: 'base64url', text: `token=${base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')};` },
  ];
}

/**
 * Every fragment of at least FRAGMENT_LENGTH characters of every key, leaked in every way, with 0 to 2
 * characters of context before it (each byte offset in base64) and random context after: the leaks the
 * redactor let through, by the oracle of the tests.
 */
function missedLeaks(redactorFor: (key: string) => RedactText, seed = 7): Map<string, number> {
  const random = mulberry32(seed);
  const noise = (length: number) =>
    Array.from({ length }, () => String.fromCharCode(33 + Math.floor(random() * 94))).join('');
  const missed = new Map<string, number>();
  for (const key of KEYS) {
    const redact = redactorFor(key);
    const needles = [...canaryNeedles(key)];
    for (let start = 0; start < key.length; start++) {
      for (let end = start + FRAGMENT_LENGTH; end <= key.length; end++) {
        const fragment = key.slice(start, end);
        for (const before of ['', noise(1), noise(2)]) {
          for (const leak of leaksOf(fragment, before, noise(Math.floor(random() * 3)))) {
            const output = redact(leak.text);
            if (needles.some((needle) => output.includes(needle))) {
              missed.set(leak.how, (missed.get(leak.how) ?? 0) + 1);
            }
          }
        }
      }
    }
  }
  return missed;
}

describe('textRedactor', () => {
  it('leaves no fragment of 8+ characters of a key, verbatim or encoded, in any of thousands of leaks', () => {
    expect(missedLeaks((key) => textRedactor([key]))).toEqual(new Map());
  });

  // The check above must be able to fail: each broken redactor below misses the leaks it is blind to.
  it('catches a redactor that misses what it is blind to', () => {
    const untouched = missedLeaks(() => (text) => text);
    expect([...untouched.keys()].sort()).toEqual(
      ['base64', 'base64url', 'json', 'percent-encoded', 'verbatim'].sort(),
    );
    const verbatimOnly = missedLeaks((key) => (text) => text.replaceAll(key, REDACTED));
    expect(verbatimOnly.get('verbatim')).toBeGreaterThan(0);
    const noEncodings = missedLeaks((key) => fragmentRedactor([key]));
    expect(noEncodings.get('verbatim')).toBeUndefined();
    expect(noEncodings.get('base64')).toBeGreaterThan(0);
    expect(noEncodings.get('percent-encoded')).toBeGreaterThan(0);
    const oneOffset = missedLeaks((key) => fragmentRedactor([key, Buffer.from(key).toString('base64')]));
    expect(oneOffset.get('base64')).toBeGreaterThan(0);
    expect(oneOffset.get('base64url')).toBeGreaterThan(0);
  });

  it("redacts the issue's cases: the key's last 8 characters and its base64 form", () => {
    const [key] = KEYS;
    const redact = textRedactor([key]);
    expect(redact(`key ending ${key.slice(-8)} refused`)).toBe(`key ending ${REDACTED} refused`);
    expect(redact(`b64=${Buffer.from(key).toString('base64')}`)).toBe(`b64=${REDACTED}`);
  });

  it('returns clean text as the very same string, and leaves fragments shorter than 8 characters', () => {
    const [key] = KEYS;
    const redact = textRedactor([key, undefined, '']);
    const clean = 'MILK 2.49 BREAD 3.10 TOTAL 5.59 3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    expect(redact(clean)).toBe(clean);
    expect(redact(`a ${key.slice(0, 7)} b`)).toBe(`a ${key.slice(0, 7)} b`);
    expect(textRedactor([])(clean)).toBe(clean);
  });

  it('makes one marker of adjacent and overlapping matches', () => {
    const [key, other] = KEYS;
    const redact = textRedactor([key, other]);
    expect(redact(`<${key}${key}>`)).toBe(`<${REDACTED}>`);
    expect(redact(`<${key.slice(0, 20)}${other}>`)).toBe(`<${REDACTED}>`);
    expect(redact(`${key} and ${other}`)).toBe(`${REDACTED} and ${REDACTED}`);
  });

  it('matches a secret shorter than a fragment whole, and then applies the extra scrubber', () => {
    const redact = textRedactor(['abc', 'abcdef'], (text) => text.replaceAll('held-elsewhere', '[scrubbed]'));
    expect(redact('xabcdefx abc held-elsewhere')).toBe(`x${REDACTED}x ${REDACTED} [scrubbed]`);
  });

  it('tells whether a text holds a secret in any form', () => {
    const [key] = KEYS;
    expect(containsSecret(`https://host/${encodeURIComponent(key.slice(3, 14))}`, [key])).toBe(true);
    expect(containsSecret('https://api.smith.langchain.com', [key, undefined])).toBe(false);
  });
});
