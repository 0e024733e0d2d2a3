import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redactingFetch } from './redacting-fetch.js';
import { REDACTED, textRedactor } from './text-redactor.js';

const KEY = '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';
const redact = textRedactor([KEY]);
const fetchOf = (answer: () => Response | Promise<Response>): typeof fetch =>
  redactingFetch(async () => answer(), redact);
const failingFetch = (error: unknown) =>
  redactingFetch(async () => {
    throw error;
  }, redact);
const thrownBy = async (fetchImpl: typeof fetch): Promise<unknown> =>
  fetchImpl('http://127.0.0.1:1/').then(
    () => {
      throw new Error('expected fetch to throw');
    },
    (error: unknown) => error,
  );
const noKeyIn = (value: unknown) => {
  const printed = inspect(value, { depth: null, showHidden: true });
  for (let at = 0; at + 8 <= KEY.length; at++) expect(printed).not.toContain(KEY.slice(at, at + 8));
};

describe('redactingFetch', () => {
  it('hands successful responses over untouched', async () => {
    const original = new Response(`{"echo":"${KEY}"}`, { status: 200 });
    expect(await fetchOf(() => original)('http://127.0.0.1:1/')).toBe(original);
  });

  it('redacts the body and status text of an error response, keeping its status and type', async () => {
    const base64 = Buffer.from(`user:${KEY}`).toString('base64');
    const response = await fetchOf(
      () =>
        new Response(
          JSON.stringify({ detail: `Invalid token ${KEY} (Basic ${base64}), ends ${KEY.slice(-8)}` }),
          {
            status: 401,
            statusText: `Unauthorized ${KEY}`,
            headers: { 'content-type': 'application/json', 'content-length': '999', 'x-request-id': 'r-1' },
          },
        ),
    )('http://127.0.0.1:1/');
    expect(response.status).toBe(401);
    expect(response.statusText).toBe(`Unauthorized ${REDACTED}`);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-request-id')).toBe('r-1');
    expect(response.headers.get('content-length')).toBeNull();
    const body = (await response.json()) as { detail: string };
    // What is left of the base64 around the marker encodes "user:" and at most the key's last 2 bytes.
    expect(body.detail).toMatch(
      /^Invalid token \[redacted\] \(Basic dXNlcjp\w\[redacted\]\w{0,3}=*\), ends \[redacted\]$/,
    );
    noKeyIn(body);
  });

  it('rethrows an error that holds no secret as it is', async () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
    });
    expect(await thrownBy(failingFetch(error))).toBe(error);
  });

  it('replaces an error that quotes a key (an invalid header value) by one of the same kind, redacted', async () => {
    const cause = Object.assign(new Error(`connect to ${KEY}`), { code: 'ECONNREFUSED', errno: -111 });
    const error = Object.assign(
      new TypeError(`Headers.set: "${KEY}\n" is an invalid header value.`, { cause }),
      {
        detail: `key ${KEY}`,
      },
    );
    const thrown = await thrownBy(failingFetch(error));
    expect(thrown).toBeInstanceOf(TypeError);
    expect(thrown).toMatchObject({
      message: `Headers.set: "${REDACTED}\n" is an invalid header value.`,
      detail: `key ${REDACTED}`,
      cause: { message: `connect to ${REDACTED}`, code: 'ECONNREFUSED', errno: -111 },
    });
    noKeyIn(thrown);
  });

  it('keeps a timeout a timeout, and scrubs a cause that is not an Error', async () => {
    const timeout = await thrownBy(
      failingFetch(new DOMException(`timed out calling ${KEY}`, 'TimeoutError')),
    );
    expect(timeout).toBeInstanceOf(DOMException);
    expect(timeout).toMatchObject({ name: 'TimeoutError', message: `timed out calling ${REDACTED}` });
    const plain = await thrownBy(
      failingFetch(new Error('failed', { cause: { code: 'E', url: `https://x/${KEY}` } })),
    );
    expect(plain).toMatchObject({ message: 'failed', cause: { code: 'E', url: `https://x/${REDACTED}` } });
    expect(await thrownBy(failingFetch(`raw ${KEY}`))).toBe(`raw ${REDACTED}`);
    noKeyIn([timeout, plain]);
  });
});
