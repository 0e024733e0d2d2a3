import { describe, expect, it } from 'vitest';
import { secretRedactor } from './secret-redactor.js';
import { REDACTED } from './text-redactor.js';

const SECRET = 'sk-0123456789abcdef';

describe('secretRedactor', () => {
  const redact = secretRedactor([SECRET, undefined, '']);

  it('replaces the secret wherever it occurs in strings and keys, at any depth', () => {
    expect(
      redact({
        header: `Bearer ${SECRET}`,
        nested: { list: ['ok', SECRET, { [SECRET]: 1 }], n: 3, flag: true, none: null },
      }),
    ).toEqual({
      header: `Bearer ${REDACTED}`,
      nested: { list: ['ok', REDACTED, { [REDACTED]: 1 }], n: 3, flag: true, none: null },
    });
  });

  it('returns what holds no secret as it is, so a clean trace is sent unchanged', () => {
    const clean = { words: ['MILK', '2.49'], when: new Date(0), nested: { deep: [1, 2] } };
    expect(redact(clean)).toBe(clean);
    const partly = { clean: clean.nested, dirty: SECRET };
    expect(redact(partly).clean).toBe(clean.nested);
  });

  it('follows toJSON, as the serializer does', () => {
    class Message {
      constructor(private readonly text: string) {}
      toJSON() {
        return { kind: 'message', content: this.text };
      }
    }
    expect(redact({ message: new Message(`key ${SECRET}`) })).toEqual({
      message: { kind: 'message', content: `key ${REDACTED}` },
    });
  });

  it('cuts cycles instead of letting the original object back in', () => {
    const node: Record<string, unknown> = { secret: SECRET };
    node.self = node;
    expect(redact(node)).toEqual({ secret: REDACTED, self: '[Circular]' });
  });

  it('replaces the longest secret first, and does nothing without secrets', () => {
    expect(secretRedactor(['abc', 'abcdef'])('xabcdefx abc')).toBe(`x${REDACTED}x ${REDACTED}`);
    const value = { a: SECRET };
    expect(secretRedactor([undefined, ''])(value)).toBe(value);
  });

  it('catches fragments and encodings of a secret at any depth, as the text redactor does', () => {
    const base64 = Buffer.from(SECRET).toString('base64');
    expect(redact({ error: { message: `ends ${SECRET.slice(-8)}`, auth: [`Basic ${base64}`] } })).toEqual({
      error: { message: `ends ${REDACTED}`, auth: [`Basic ${REDACTED}`] },
    });
  });
});
