import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LangSmithServer, startLangSmithServer } from '../../../../test/loopback/langsmith-server.js';
import { REDACTED } from '../../secrets/text-redactor.js';
import { createLangSmithTracing, type LangSmithTracing } from './langsmith-tracing.js';
import {
  buildReceiptGraph,
  captureOutput,
  FAKE_LANGSMITH_KEY,
  FAKE_OLLAMA_KEY,
  lambdaHandler,
  type ReceiptEvent,
} from './tracing.test-support.js';
import { tracingConfigFromEnv } from './tracing-config.js';

const PROJECT = 'receipt-gate-tests';
const WORDS = ['MILK', '2.49', 'BREAD', '3.10'];

describe('LangSmith tracing of graph runs in a Lambda-style handler', () => {
  let server: LangSmithServer;
  /** Where LANGSMITH_RUNS_ENDPOINTS points: nothing may arrive there. */
  let decoy: LangSmithServer;
  let tracing: LangSmithTracing;
  let output: () => string[];

  beforeAll(async () => {
    server = await startLangSmithServer({ apiKey: FAKE_LANGSMITH_KEY });
    decoy = await startLangSmithServer();
    // The Lambda's configuration, including what would make LangChain trace on its own from the environment.
    vi.stubEnv('LANGSMITH_TRACING', 'true');
    vi.stubEnv('LANGSMITH_ENDPOINT', server.url);
    vi.stubEnv('LANGSMITH_API_KEY', FAKE_LANGSMITH_KEY);
    vi.stubEnv('LANGSMITH_PROJECT', PROJECT);
    vi.stubEnv('LANGSMITH_RUNS_ENDPOINTS', JSON.stringify([{ api_url: decoy.url, api_key: 'decoy-key' }]));
    vi.stubEnv('OLLAMA_API_KEY', FAKE_OLLAMA_KEY);
    // Read once, as the container does at cold start; one tracing (one client) for every invocation below.
    tracing = createLangSmithTracing(tracingConfigFromEnv(process.env), {
      secrets: [process.env.OLLAMA_API_KEY],
    });
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await Promise.all([server?.close(), decoy?.close()]);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const runsOf = (event: ReceiptEvent) =>
    server
      .runs()
      .filter(
        (run) =>
          run.tags?.includes(`receipt:${event.receiptId}`) && run.tags.includes(`image:${event.imageId}`),
      );

  /** Neither key anywhere but the LangSmith key in `x-api-key`; also checks what reached the server is non-empty. */
  const expectNoSecretsSent = () => {
    expect(server.requests.length).toBeGreaterThan(0);
    for (const request of server.requests) {
      expect(request.headers['x-api-key']).toBe(FAKE_LANGSMITH_KEY);
      for (const secret of [FAKE_LANGSMITH_KEY, FAKE_OLLAMA_KEY]) {
        expect(request.body).not.toContain(secret);
        for (const [name, value] of Object.entries(request.headers)) {
          if (name !== 'x-api-key') expect(String(value)).not.toContain(secret);
        }
      }
    }
  };

  it('has the runs at the server, tagged with the image and receipt, when the handler promise resolves', async () => {
    output = captureOutput();
    const states: unknown[] = [];
    const handler = lambdaHandler(tracing, buildReceiptGraph({ ollamaApiKey: FAKE_OLLAMA_KEY, states }));
    const event = { imageId: randomUUID(), receiptId: 1, words: WORDS };
    const envBefore = { ...process.env };

    const result = await handler(event);

    // No waiting: whatever the server holds now is what a frozen Lambda would have delivered.
    const runs = runsOf(event);
    expect(result.labels).toEqual(['O', 'LINE_TOTAL#1', 'O', 'LINE_TOTAL#3']);
    expect(handler.flushes).toEqual([{ outcome: 'flushed', ms: expect.any(Number) }]);
    expect(runs.map((run) => run.name)).toEqual(expect.arrayContaining(['LangGraph', 'classify', 'combine']));
    const root = runs.find((run) => run.parent_run_id === undefined);
    expect(root).toMatchObject({
      name: 'LangGraph',
      session_name: PROJECT,
      inputs: { words: WORDS, labels: [] },
      outputs: { labels: result.labels },
      metadata: { image_id: event.imageId, receipt_id: 1 },
    });
    for (const run of runs) {
      expect(run).toMatchObject({ session_name: PROJECT, trace_id: root?.id, creates: 1 });
      expect(run.tags).toEqual(expect.arrayContaining([`image:${event.imageId}`, 'receipt:1']));
      expect(run.end_time).toBeDefined();
    }
    expect(server.requests.map((request) => request.path)).toEqual(
      expect.arrayContaining(['/info', '/runs/multipart']),
    );
    expectNoSecretsSent();
    for (const line of output()) {
      expect(line).not.toContain(FAKE_LANGSMITH_KEY);
      expect(line).not.toContain(FAKE_OLLAMA_KEY);
    }
    expect(JSON.stringify([states, result])).not.toContain(FAKE_OLLAMA_KEY);
    expect(JSON.stringify([states, result])).not.toContain(FAKE_LANGSMITH_KEY);
    expect(process.env).toEqual(envBefore);
  });

  it('keeps tracing receipt after receipt in one warm process, each trace delivered before its handler returns', async () => {
    output = captureOutput();
    const states: unknown[] = [];
    const handler = lambdaHandler(tracing, buildReceiptGraph({ ollamaApiKey: FAKE_OLLAMA_KEY, states }));
    const imageId = randomUUID();
    const envBefore = { ...process.env };

    for (const receiptId of [1, 2, 3]) {
      const event = { imageId, receiptId, words: WORDS };
      await handler(event);
      const root = runsOf(event).find((run) => run.parent_run_id === undefined);
      expect(root, `receipt ${receiptId}`).toMatchObject({
        name: 'LangGraph',
        outputs: { labels: expect.any(Array) },
      });
    }

    const roots = server.runs().filter((run) => run.tags?.includes(`image:${imageId}`) && !run.parent_run_id);
    expect(roots.map((run) => run.metadata?.receipt_id)).toEqual([1, 2, 3]);
    expect(handler.flushes.map((flush) => flush.outcome)).toEqual(['flushed', 'flushed', 'flushed']);
    expectNoSecretsSent();
    expect(output().join('\n')).not.toContain(FAKE_OLLAMA_KEY);
    expect(output().join('\n')).not.toContain(FAKE_LANGSMITH_KEY);
    expect(JSON.stringify(states)).not.toMatch(new RegExp(`${FAKE_OLLAMA_KEY}|${FAKE_LANGSMITH_KEY}`));
    expect(process.env).toEqual(envBefore);
  });

  it('creates each run once although LANGSMITH_TRACING=true makes LangChain trace from the environment too', async () => {
    const graph = buildReceiptGraph({ ollamaApiKey: FAKE_OLLAMA_KEY });
    const handler = lambdaHandler(tracing, graph);
    const event = { imageId: randomUUID(), receiptId: 4, words: WORDS };

    await handler(event);

    // Root, __start__, classify, combine: an env-based tracer would add a second set under other ids.
    const runs = runsOf(event);
    expect(runs.map((run) => run.name).sort()).toEqual(['LangGraph', '__start__', 'classify', 'combine']);
    expect(runs.every((run) => run.creates === 1)).toBe(true);
    expect(decoy.requests).toEqual([]);

    // Control: without our tracer the same graph IS traced from the environment (and LANGSMITH_RUNS_ENDPOINTS
    // routes it to the decoy), so the single set above is our tracer's doing.
    await graph.invoke({ words: WORDS, labels: [] }, { tags: [`image:${event.imageId}`, 'receipt:40'] });
    await tracing.flush();
    expect(decoy.runs().map((run) => run.name)).toContain('LangGraph');
  });

  it('scrubs a key that reaches trace metadata through `configurable`, which LangChain copies there', async () => {
    const handler = lambdaHandler(tracing, buildReceiptGraph({ ollamaApiKey: FAKE_OLLAMA_KEY }), {
      configurable: { ollama_key: FAKE_OLLAMA_KEY },
    });
    const event = { imageId: randomUUID(), receiptId: 5, words: WORDS };

    await handler(event);

    const classify = runsOf(event).find((run) => run.name === 'classify');
    expect(classify?.metadata).toMatchObject({ ollama_key: REDACTED, image_id: event.imageId });
    expectNoSecretsSent();
  });

  it('scrubs a key quoted in a node error, and still delivers the failed runs before the handler rejects', async () => {
    const message = `Ollama answered 401 for Authorization: Bearer ${FAKE_OLLAMA_KEY}`;
    const handler = lambdaHandler(
      tracing,
      buildReceiptGraph({ ollamaApiKey: FAKE_OLLAMA_KEY, failWith: message }),
    );
    const event = { imageId: randomUUID(), receiptId: 6, words: WORDS };

    await expect(handler(event)).rejects.toThrow('Ollama answered 401');

    const classify = runsOf(event).find((run) => run.name === 'classify');
    expect(classify?.error).toContain(`Bearer ${REDACTED}`);
    expect(handler.flushes.map((flush) => flush.outcome)).toEqual(['flushed']);
    expectNoSecretsSent();
  });
});
