import { inspect } from 'node:util';
import { RecordingTelemetry } from '@receipt-gate/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canaryHits } from '../../../test/canary.js';
import {
  type LoopbackOllama,
  type ScriptedReply,
  startLoopbackOllama,
} from '../../../test/loopback/ollama-server.js';
import { LlmCallError } from './llm-call-error.js';
import { OllamaChat } from './ollama-chat.js';
import { OllamaConfig } from './ollama-config.js';
import { loopbackChat, TEST_KEY, TEST_MODEL } from './scripted-model.test-support.js';

const schema = z.object({ answer: z.string(), score: z.number() }).meta({ title: 'probe' });
const GOOD: ScriptedReply = { json: { answer: 'yes', score: 1 } };
const request = { purpose: 'probe', system: 'Answer.', user: '<data>x</data>', schema };

let server: LoopbackOllama;
let telemetry: RecordingTelemetry;
beforeEach(async () => {
  server = await startLoopbackOllama();
  telemetry = new RecordingTelemetry();
});
afterEach(() => server.close());

const chatWith = (config: Parameters<typeof loopbackChat>[1] = {}) =>
  loopbackChat(server, config, { telemetry, backoff: { baseMs: 5, maxMs: 20 } }).chat;

async function failure(promise: Promise<unknown>): Promise<LlmCallError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LlmCallError);
  return error as LlmCallError;
}

/** Everything a test could see of an error, the key included if anything let it through. */
const exposed = (error: unknown) =>
  `${String(error)} ${inspect(error, { depth: 5 })} ${JSON.stringify(error)}`;

describe('OllamaChat against the loopback Ollama', () => {
  it('sends the schema as format, unstreamed, with the key only in the Authorization header, and returns the validated reply', async () => {
    server.script([GOOD]);
    await expect(chatWith().complete(request)).resolves.toEqual({ answer: 'yes', score: 1 });
    const [recorded] = server.requests;
    expect(recorded?.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(recorded?.rawBody).not.toContain(TEST_KEY);
    expect(recorded?.body).toMatchObject({
      model: TEST_MODEL,
      stream: false,
      format: z.toJSONSchema(schema),
      options: { temperature: 0, num_ctx: 8_192 },
      messages: [
        { role: 'system', content: 'Answer.' },
        { role: 'user', content: '<data>x</data>' },
      ],
    });
    expect(telemetry.metricTotal('LlmCalls')).toBe(1);
    expect(telemetry.metricTotal('LlmRetries')).toBe(0);
  });

  it('sends no Authorization header without a key', async () => {
    server.script([GOOD]);
    const config = new OllamaConfig({ host: server.url, model: TEST_MODEL });
    await new OllamaChat(config).complete(request);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('fails a malformed JSON reply at once (not retried)', async () => {
    server.script([{ content: '{"answer": "yes", ' }, GOOD]);
    const error = await failure(chatWith().complete(request));
    expect(error).toMatchObject({ failure: 'malformed_reply', transient: false });
    expect(server.requests).toHaveLength(1);
  });

  it('fails valid JSON of the wrong schema at once, naming the problem', async () => {
    server.script([{ json: { answer: 42 } }, GOOD]);
    const error = await failure(chatWith().complete(request));
    expect(error).toMatchObject({ failure: 'invalid_reply', transient: false });
    expect(error.message).toMatch(/answer/);
    expect(server.requests).toHaveLength(1);
  });

  it('retries 429 and 500 with backoff, then succeeds, counting calls and retries', async () => {
    server.script([{ status: 429, error: 'rate limited' }, { status: 500, error: 'model crashed' }, GOOD]);
    await expect(chatWith().complete(request)).resolves.toEqual({ answer: 'yes', score: 1 });
    expect(server.requests).toHaveLength(3);
    expect(telemetry.metricTotal('LlmCalls')).toBe(3);
    expect(telemetry.metricTotal('LlmRetries')).toBe(2);
  });

  it('gives up after maxRetries transient failures, with the last one', async () => {
    server.script(() => ({ status: 503, error: 'overloaded' }));
    const error = await failure(chatWith({ maxRetries: 2 }).complete(request));
    expect(error).toMatchObject({ failure: 'http', status: 503, transient: true });
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry another 4xx', async () => {
    server.script([{ status: 404, error: `model "${TEST_MODEL}" not found, try pulling it first` }, GOOD]);
    const error = await failure(chatWith().complete(request));
    expect(error).toMatchObject({ failure: 'http', status: 404, transient: false });
    expect(error.message).toContain('not found');
    expect(server.requests).toHaveLength(1);
  });

  it('times out a slow call, retries it, and succeeds', async () => {
    // The first reply is held far past the test's timeout: a call that succeeds at all timed it out.
    server.script([{ ...GOOD, delayMs: 600_000 }, GOOD]);
    await expect(chatWith({ timeoutMs: 150 }).complete(request)).resolves.toEqual({
      answer: 'yes',
      score: 1,
    });
    expect(server.requests).toHaveLength(2);
    expect(telemetry.metricTotal('LlmRetries')).toBe(1);
  });

  it('ends every attempt and every backoff wait at the deadline', async () => {
    // Every reply is held far past the test's timeout: a call that ends at all stopped waiting for them.
    server.script(() => ({ ...GOOD, delayMs: 600_000 }));
    const started = Date.now();
    const chat = chatWith({ timeoutMs: 100, maxRetries: 10 });
    const error = await failure(chat.complete({ ...request, deadlineAt: started + 350 }));
    const elapsed = Date.now() - started;
    expect(error.failure).toBe('deadline');
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(server.requests.length).toBeLessThanOrEqual(4);
  });

  it('makes no call once the deadline has passed', async () => {
    server.script([GOOD]);
    const error = await failure(chatWith().complete({ ...request, deadlineAt: Date.now() - 1 }));
    expect(error.failure).toBe('deadline');
    expect(server.requests).toHaveLength(0);
  });

  it("aborts with the caller's reason, promptly", async () => {
    // The reply is held far past the test's timeout: a call that ends at all stopped waiting for it.
    server.script(() => ({ ...GOOD, delayMs: 600_000 }));
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 50);
    await expect(chatWith().complete({ ...request, signal: controller.signal })).rejects.toBe(reason);
  });

  it('keeps at most maxConcurrency calls in flight, across concurrent completions', async () => {
    let inFlight = 0;
    let most = 0;
    server.script(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 40));
      inFlight--;
      return GOOD;
    });
    const chat = chatWith({ maxConcurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => chat.complete(request)));
    expect(server.requests).toHaveLength(6);
    expect(most).toBe(2);
  });

  it('retries network failures (connection refused) and reports them without the key', async () => {
    const gone = server.url;
    await server.close();
    const chat = loopbackChat({ url: gone } as LoopbackOllama, {}, { telemetry }).chat;
    const error = await failure(chat.complete(request));
    expect(error).toMatchObject({ failure: 'network', transient: true });
    expect(error.message).toContain('ECONNREFUSED');
    expect(telemetry.metricTotal('LlmRetries')).toBe(2);
    server = await startLoopbackOllama();
  });

  it('scrubs the key from errors and from replies that echo it', async () => {
    server.script([
      { status: 401, error: `invalid API key ${TEST_KEY}` },
      { json: { answer: `your key is ${TEST_KEY}`, score: 0 } },
    ]);
    const chat = chatWith();
    const error = await failure(chat.complete(request));
    expect(error.status).toBe(401);
    expect(exposed(error)).not.toContain(TEST_KEY);
    expect(error.message).toContain('[redacted]');
    const reply = await chat.complete(request);
    expect(JSON.stringify(reply)).not.toContain(TEST_KEY);
    expect(reply.answer).toBe('your key is [redacted]');
    for (const recorded of server.requests) expect(recorded.rawBody).not.toContain(TEST_KEY);
  });

  it("scrubs the key's fragments and encodings from an endpoint that echoes its Authorization header", async () => {
    const echo = (authorization: string | undefined) => {
      const key = (authorization ?? '').replace(/^Bearer /, '');
      return [
        `denied: ${authorization}`,
        `key ending ${key.slice(-8)}`,
        `base64 ${Buffer.from(key).toString('base64')}`,
        `basic ${Buffer.from(`user:${key}`).toString('base64url')}`,
        `query ?key=${encodeURIComponent(key)}`,
      ].join('; ');
    };
    // JSON and plain-text bodies: the client reads each its own way, and quotes both in its error.
    server.script((_body, index, headers) =>
      index === 0
        ? { status: 401, error: echo(headers.authorization) }
        : { json: { answer: echo(headers.authorization), score: 0 } },
    );
    const chat = chatWith();
    const error = await failure(chat.complete(request));
    expect(error.message).toMatch(
      /HTTP 401: denied: Bearer \[redacted\]; key ending \[redacted\]; base64 \[redacted\]/,
    );
    const reply = await chat.complete(request);
    expect(
      canaryHits({ TEST_KEY }, [
        { source: 'error', text: exposed(error) },
        { source: 'reply', text: JSON.stringify(reply) },
      ]),
    ).toEqual([]);
    expect(server.requests.every((recorded) => recorded.headers.authorization === `Bearer ${TEST_KEY}`)).toBe(
      true,
    );
  });

  it('does not show the configuration through the chat object', () => {
    const chat = chatWith();
    expect(exposed(chat)).not.toContain(TEST_KEY);
  });
});
