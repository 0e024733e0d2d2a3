import { inspect } from 'node:util';
import { valueRedactor } from './secret-redactor.js';
import type { RedactText } from './text-redactor.js';

/** Headers that describe the original body, not the redacted copy. */
const BODY_HEADERS = ['content-length', 'content-encoding', 'transfer-encoding'];

/**
 * A `fetch` for an HTTP client that prints or quotes what it receives: the body and status text of an error
 * response, and any error `fetch` throws, reach the client with `redact` applied. The LangSmith client writes
 * failures to the console itself and the Ollama client puts error bodies into its errors, so this is where
 * their output is scrubbed without touching the global console. Successful responses pass through untouched.
 */
export function redactingFetch(fetchImpl: typeof fetch, redact: RedactText): typeof fetch {
  return async (input, init) => {
    try {
      const response = await fetchImpl(input, init);
      // Below 400 nothing is quoted; 0 is an opaque response, which cannot be rebuilt.
      if (response.status < 400) return response;
      const body = redact(await response.text());
      const headers = new Headers(response.headers);
      for (const name of BODY_HEADERS) headers.delete(name);
      return new Response(body, {
        status: response.status,
        statusText: redact(response.statusText),
        headers,
      });
    } catch (error) {
      throw redactedError(error, redact);
    }
  };
}

/**
 * `error` itself when nothing in its printed form (message, stack, cause chain, fields) holds a secret; otherwise
 * a copy of the same kind, name and fields with every text redacted, so callers still tell a timeout, an abort
 * or a network failure (`cause.code`) apart.
 */
function redactedError(error: unknown, redact: RedactText, depth = 0): unknown {
  const printed = inspect(error, { depth: 6 });
  if (redact(printed) === printed) return error;
  if (typeof error === 'string') return redact(error);
  if (!(error instanceof Error)) return valueRedactor(redact)(error);
  if (depth > 4) return new Error(redact(String(error)));
  const message = redact(error.message);
  const cause = error.cause === undefined ? {} : { cause: redactedError(error.cause, redact, depth + 1) };
  const copy =
    error instanceof DOMException
      ? new DOMException(message, error.name)
      : error instanceof TypeError
        ? new TypeError(message, cause)
        : new Error(message, cause);
  if (copy.name !== error.name)
    Object.defineProperty(copy, 'name', { value: error.name, configurable: true });
  for (const [key, value] of Object.entries(error)) {
    if (key === 'cause' || (typeof value === 'object' && value !== null) || typeof value === 'function')
      continue;
    Object.defineProperty(copy, key, {
      value: typeof value === 'string' ? redact(value) : value,
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  if (copy.stack && error.stack) copy.stack = redact(error.stack);
  return copy;
}
