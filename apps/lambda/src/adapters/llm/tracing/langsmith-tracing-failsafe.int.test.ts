import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canaryHits } from '../../../../test/canary.js';
import { type LangSmithServer, startLangSmithServer } from '../../../../test/loopback/langsmith-server.js';
import { createLangSmithTracing } from './langsmith-tracing.js';
import {
  buildReceiptGraph,
  captureOutput,
  FAKE_LANGSMITH_KEY,
  FAKE_OLLAMA_KEY,
  lambdaHandler,
} from './tracing.test-support.js';
import { tracingConfigFromEnv } from './tracing-config.js';

const WORDS = ['MILK', '2.49'];
const EXPECTED = { words: WORDS, labels: ['O', 'LINE_TOTAL#1'] };
const FLUSH_TIMEOUT_MS = 400;

const enabledEnv = (endpoint: string) => ({
  LANGSMITH_TRACING: 'true',
  LANGSMITH_ENDPOINT: endpoint,
  LANGSMITH_API_KEY: FAKE_LANGSMITH_KEY,
  LANGSMITH_PROJECT: 'receipt-gate-tests',
});

describe('tracing never costs the handler its result', () => {
  const servers: LangSmithServer[] = [];
  const start = async (options?: Parameters<typeof startLangSmithServer>[0]) => {
    const server = await startLangSmithServer(options);
    servers.push(server);
    return server;
  };

  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it('sends nothing when tracing is off, has no callbacks, and flushes at once', async () => {
    const server = await start();
    // A key and an endpoint in the environment are not enough: only LANGSMITH_TRACING=true turns tracing on.
    vi.stubEnv('LANGSMITH_ENDPOINT', server.url);
    vi.stubEnv('LANGSMITH_API_KEY', FAKE_LANGSMITH_KEY);
    const tracing = createLangSmithTracing(tracingConfigFromEnv(process.env));
    const event = { imageId: randomUUID(), receiptId: 1, words: WORDS };
    expect(tracing.enabled).toBe(false);
    expect(tracing.runConfig(event).callbacks).toBeUndefined();
    const handler = lambdaHandler(tracing, buildReceiptGraph({ ollamaApiKey: FAKE_OLLAMA_KEY }));

    expect(await handler(event)).toEqual(EXPECTED);

    expect(handler.flushes[0]?.outcome).toBe('disabled');
    // Longer than the client's 250 ms batching delay: anything queued would have been sent by now.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(server.requests).toEqual([]);
  });

  it('returns the result within the flush timeout when LangSmith is down', async () => {
    const gone = await start();
    const endpoint = gone.url;
    await gone.close(); // nothing listens on this port any more: connections are refused
    vi.stubEnv('LANGSMITH_ENDPOINT', endpoint);
    const output = captureOutput();
    const tracing = createLangSmithTracing(tracingConfigFromEnv(enabledEnv(endpoint)), {
      flushTimeoutMs: FLUSH_TIMEOUT_MS,
    });
    const handler = lambdaHandler(tracing, buildReceiptGraph({ ollamaApiKey: FAKE_OLLAMA_KEY }));

    expect(await handler({ imageId: randomUUID(), receiptId: 1, words: WORDS })).toEqual(EXPECTED);

    // The client retries a refused connection with backoff, past the timeout; the handler does not wait for it.
    expect(handler.flushes).toEqual([{ outcome: 'timed_out', ms: expect.any(Number) }]);
    expect(output().join('\n')).not.toContain(FAKE_LANGSMITH_KEY);
  });

  it('returns the result within the flush timeout when LangSmith holds every ingestion', async () => {
    // Ingestion is held far past the test's timeout: a handler that returns at all did not wait for it.
    const slow = await start({ ingestDelayMs: 600_000 });
    vi.stubEnv('LANGSMITH_ENDPOINT', slow.url);
    const tracing = createLangSmithTracing(tracingConfigFromEnv(enabledEnv(slow.url)), {
      flushTimeoutMs: FLUSH_TIMEOUT_MS,
    });
    const handler = lambdaHandler(tracing, buildReceiptGraph({ ollamaApiKey: FAKE_OLLAMA_KEY }));

    for (const receiptId of [1, 2]) {
      expect(await handler({ imageId: randomUUID(), receiptId, words: WORDS })).toEqual(EXPECTED);
    }

    expect(handler.flushes.map((flush) => flush.outcome)).toEqual(['timed_out', 'timed_out']);
    expect(slow.requests.some((request) => request.path === '/runs/multipart')).toBe(true);
  });

  it("keeps the key out of the client's own console output when LangSmith echoes credentials in its errors", async () => {
    // What a misconfigured proxy or gateway does: quote the credentials it refused, whole and in part.
    const echoing = await start({
      failWith: ({ headers }) => {
        const key = String(headers['x-api-key']);
        return {
          status: 401,
          body: JSON.stringify({
            detail: `Invalid token ${key} (ends ${key.slice(-8)}, base64 ${Buffer.from(key).toString('base64')})`,
          }),
        };
      },
    });
    const output = captureOutput();
    const tracing = createLangSmithTracing(tracingConfigFromEnv(enabledEnv(echoing.url)), {
      secrets: [FAKE_OLLAMA_KEY],
      // Long enough on a busy machine for the refused requests to end (a 401 is not retried), so what the client
      // prints about them is printed before the flush returns.
      flushTimeoutMs: 20_000,
    });
    const handler = lambdaHandler(tracing, buildReceiptGraph({ ollamaApiKey: FAKE_OLLAMA_KEY }));

    expect(await handler({ imageId: randomUUID(), receiptId: 1, words: WORDS })).toEqual(EXPECTED);

    expect(handler.flushes.map((flush) => flush.outcome)).toEqual(['flushed']);
    const printed = output().join('\n');
    // The client did print the refusal, body included: redacted.
    expect(printed).toContain(`Invalid token [redacted] (ends [redacted], base64 [redacted])`);
    expect(
      canaryHits({ FAKE_LANGSMITH_KEY, FAKE_OLLAMA_KEY }, [{ source: 'console', text: printed }]),
    ).toEqual([]);
    expect(echoing.requests.some((request) => request.path === '/runs/multipart')).toBe(true);
  });
});
