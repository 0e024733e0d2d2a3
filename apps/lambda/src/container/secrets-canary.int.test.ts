import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Captured, canaryHits, captureAllOutput, exposedValue, filesUnder } from '../../test/canary.js';
import { type LangSmithServer, startLangSmithServer } from '../../test/loopback/langsmith-server.js';
import {
  type ChatRequestBody,
  type LoopbackOllama,
  type ScriptedReply,
  startLoopbackOllama,
} from '../../test/loopback/ollama-server.js';
import { sampleScript } from '../adapters/llm/scripted-model.test-support.js';
import { ConfigError, configFromEnv } from '../config/app-config.js';
import { createContainer } from './create-container.js';
import { TOKENS } from './tokens.js';

/**
 * The canary keys: shaped like real keys, and (the Ollama one) full of the characters percent-encoding and
 * base64 change. Nothing else in the tests shares 6 characters with them (an 8-character window of base64
 * encodes 6). Whatever the system prints, sends or writes is searched for them, their fragments of 8+
 * characters and their encodings (`canaryNeedles`); the only places they may be are the one header each
 * service authenticates with.
 */
const KEYS = {
  langsmith: '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',
  ollama: 'olk-c4n+Qz8/Xw4=Rk2~Vt6.Np0!Hs3*Lm5Jd7',
} as const;
const sample = SAMPLE_RECEIPTS[1];
if (!sample) throw new Error('no sample receipt');
const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

/** What a careless gateway answers: the credentials it was given, whole, in part and encoded. */
function echoOf(credential: string | undefined): string {
  const key = (credential ?? '').replace(/^Bearer /, '');
  return [
    `rejected credentials: ${credential}`,
    `key ending ${key.slice(-8)}`,
    `base64 ${Buffer.from(key).toString('base64')}`,
    `basic ${Buffer.from(`user:${key}`).toString('base64url')}`,
    `query ?api_key=${encodeURIComponent(key)}`,
  ].join('; ');
}

/** Each scripted reply of a good model, with the caller's key echoed into every free-text field. */
function echoingModel(
  body: ChatRequestBody,
  index: number,
  authorization: string | undefined,
): ScriptedReply {
  const reply = sampleScript(sample as NonNullable<typeof sample>)(body, index) as ScriptedReply;
  if (!('json' in reply)) return reply;
  const json = reply.json as { labels?: { reason?: string }[]; reason?: string };
  return {
    json: {
      ...json,
      ...(json.labels && {
        labels: json.labels.map((label) => ({ ...label, reason: echoOf(authorization) })),
      }),
      ...(json.reason !== undefined && { reason: echoOf(authorization) }),
    },
  };
}

describe('secrets canary: hostile variants through the real adapters leak no key, in any form, anywhere', () => {
  let ollama: LoopbackOllama;
  let langsmith: LangSmithServer;
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'rg-secrets-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    vi.resetModules();
    await Promise.all([ollama?.close(), langsmith?.close()]);
    await rm(root, { recursive: true, force: true });
  });

  /** The Lambda's environment: in `process.env` too, where the libraries look for their own settings. */
  const lambdaEnv = (overrides: Record<string, string> = {}) => {
    const env: Record<string, string> = {
      RECEIPT_GATE_STORE: 'memory',
      RECEIPT_GATE_STATE_DIR: join(root, 'state'),
      GATE_POLL_INTERVAL_MS: '50',
      GATE_MAX_WAIT_MS: '200',
      OLLAMA_HOST: ollama.url,
      OLLAMA_API_KEY: KEYS.ollama,
      OLLAMA_MAX_RETRIES: '0',
      LANGSMITH_TRACING: 'true',
      LANGSMITH_ENDPOINT: langsmith.url,
      LANGSMITH_API_KEY: KEYS.langsmith,
      LANGSMITH_PROJECT: 'receipt-gate-tests',
      // The client saves a trace it failed to send here, for replay: files to search too.
      LANGSMITH_FAILED_TRACES_DIR: join(root, 'failed-traces'),
      ...overrides,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    return env;
  };

  /** Every request either loopback server received, but the one header each must get the key in. */
  const received = (): Captured[] => {
    for (const request of langsmith.requests) expect(request.headers['x-api-key']).toBe(KEYS.langsmith);
    for (const request of ollama.requests)
      expect(request.headers.authorization).toBe(`Bearer ${KEYS.ollama}`);
    const strip = (headers: object, name: string) => JSON.stringify({ ...headers, [name]: undefined });
    return [
      ...langsmith.requests.map((request) => ({
        source: `LangSmith ${request.method} ${request.path}`,
        text: `${strip(request.headers, 'x-api-key')}\n${request.body}`,
      })),
      { source: 'LangSmith runs', text: JSON.stringify(langsmith.runs()) },
      ...ollama.requests.map((request) => ({
        source: `Ollama ${request.method} ${request.path}`,
        text: `${strip(request.headers, 'authorization')}\n${request.rawBody}`,
      })),
    ];
  };

  /** Uploads the sample through the container built from `env`: its result or error, and its labels. */
  const upload = async (env: Record<string, string>): Promise<Captured[]> => {
    const container = createContainer(configFromEnv(env));
    const outcome = await container
      .get(TOKENS.UploadHandler)({ ...sample }, context)
      .then(
        (result) => exposedValue('handler result', result),
        (error: unknown) => exposedValue('handler error', error),
      );
    const labels = await container.get(TOKENS.LabelRepository).getLabels(sample);
    return [outcome, exposedValue('labels', labels)];
  };

  it('LangSmith and Ollama both echo the credentials in their error bodies; the analysis falls back', async () => {
    langsmith = await startLangSmithServer({
      failWith: ({ headers }) => ({
        status: 401,
        body: JSON.stringify({ detail: echoOf(String(headers['x-api-key'])) }),
      }),
    });
    ollama = await startLoopbackOllama((_body, _index, headers) => ({
      status: 401,
      error: echoOf(headers.authorization),
    }));
    const env = lambdaEnv();
    const output = captureAllOutput();

    const outputs = await upload(env);

    // The hostile paths were taken: the analysis fell back and logged why, the client printed the refusals and
    // saved the traces it could not send (on a busy machine, maybe after the handler's bounded flush gave up).
    expect(outputs[0]?.text).toContain('OFFLINE_ANALYZER');
    await vi.waitFor(
      async () => {
        const text = output()
          .map((entry) => entry.text)
          .join('\n');
        expect(text).toContain('"event":"analysis.fallback"');
        expect(text).toContain('rejected credentials: [redacted]');
        expect(text).toContain('data saved to');
        expect((await filesUnder(root)).some((entry) => entry.source.includes('failed-traces'))).toBe(true);
      },
      { timeout: 30_000, interval: 100 },
    );
    const everything = [...output(), ...outputs, ...received(), ...(await filesUnder(root))];
    expect(canaryHits(KEYS, everything)).toEqual([]);
  });

  it('the model echoes the Ollama key into every free-text field of its replies; traces reach LangSmith', async () => {
    langsmith = await startLangSmithServer({ apiKey: KEYS.langsmith });
    ollama = await startLoopbackOllama((body, index, headers) =>
      echoingModel(body, index, headers.authorization),
    );
    const env = lambdaEnv();
    const output = captureAllOutput();

    const outputs = await upload(env);

    expect(outputs[0]?.text).toContain('LANGGRAPH_OLLAMA');
    // The echoes reached the traces (redacted), whether before the handler's bounded flush returned or after.
    await vi.waitFor(
      () => {
        expect(langsmith.runs().some((run) => run.tags?.includes(`image:${sample.imageId}`))).toBe(true);
        expect(JSON.stringify(langsmith.runs())).toContain('rejected credentials: Bearer [redacted]');
      },
      { timeout: 30_000, interval: 100 },
    );
    const everything = [...output(), ...outputs, ...received(), ...(await filesUnder(root))];
    expect(canaryHits(KEYS, everything)).toEqual([]);
  });

  it('the LLM fails for good with ANALYZER_FALLBACK=fail: the invocation error carries no key', async () => {
    langsmith = await startLangSmithServer({ apiKey: KEYS.langsmith });
    ollama = await startLoopbackOllama((_body, _index, headers) => ({
      status: 500,
      error: echoOf(headers.authorization),
    }));
    const env = lambdaEnv({ ANALYZER_FALLBACK: 'fail' });
    const output = captureAllOutput();

    const outputs = await upload(env);

    const everything = [...output(), ...outputs, ...received(), ...(await filesUnder(root))];
    expect(canaryHits(KEYS, everything)).toEqual([]);
    expect(outputs[0]?.source).toBe('handler error');
    expect(outputs[0]?.text).toContain('[redacted]');
  });

  it('hostile settings are refused at startup, naming the variable, and the refusal quotes no key', async () => {
    langsmith = await startLangSmithServer();
    ollama = await startLoopbackOllama();
    const { langsmith: lsKey, ollama: olKey } = KEYS;
    const variants: Record<string, string>[] = [
      { LANGSMITH_API_KEY: `${lsKey.slice(0, 24)}\n${lsKey.slice(24)}` },
      { LANGSMITH_API_KEY: `${lsKey}\n` },
      { LANGSMITH_ENDPOINT: lsKey },
      { LANGSMITH_ENDPOINT: `https://${lsKey}` },
      { LANGSMITH_ENDPOINT: `https://user:${lsKey}@api.smith.langchain.com` },
      { LANGSMITH_ENDPOINT: `https://api.smith.langchain.com/?api_key=${lsKey}` },
      { LANGSMITH_ENDPOINT: `https://api.smith.langchain.com/${lsKey}` },
      { LANGSMITH_ENDPOINT: `https://api.smith.langchain.com/${encodeURIComponent(olKey)}` },
      { OLLAMA_API_KEY: `${olKey} ` },
      { OLLAMA_HOST: `https://:${olKey}@ollama.example` },
      { OLLAMA_HOST: `https://ollama.example/api?key=${encodeURIComponent(olKey)}` },
      { OLLAMA_HOST: olKey },
      {
        DYNAMODB_ENDPOINT: `http://127.0.0.1:8000/${lsKey}`,
        RECEIPT_GATE_STORE: 'dynamodb',
        TABLE_NAME: 'receipts',
      },
      {
        GATE_POLL_TIMEOUT_MS: lsKey,
        INLINE_RESERVE_MS: olKey,
        RECEIPT_GATE_MODE: lsKey,
        ANALYZER_FALLBACK: olKey,
      },
      { GATE_POLL_TIMEOUT_MS: '3000000000' },
    ];
    const output = captureAllOutput();
    const refusals: Captured[] = [];
    for (const variant of variants) {
      const env = lambdaEnv(variant);
      let refusal: unknown;
      try {
        configFromEnv(env);
      } catch (error) {
        refusal = error;
      }
      expect(refusal, JSON.stringify(Object.keys(variant))).toBeInstanceOf(ConfigError);
      const message = (refusal as Error).message;
      for (const name of Object.keys(variant).filter(
        (name) => name !== 'RECEIPT_GATE_STORE' && name !== 'TABLE_NAME',
      )) {
        expect(message, name).toContain(name);
      }
      refusals.push(exposedValue(`refusal of ${Object.keys(variant).join(', ')}`, refusal));
    }
    // The Lambda's own start: the entry point builds its container at import, and refuses the newline key there.
    vi.unstubAllEnvs();
    lambdaEnv({ LANGSMITH_API_KEY: `${lsKey.slice(0, 24)}\n${lsKey.slice(24)}` });
    const startup = await import('../entrypoints/upload.js').then(
      () => undefined,
      (error: unknown) => error,
    );
    // A fresh module graph: its ConfigError is another class object than the one imported above.
    expect(startup).toMatchObject({
      name: 'ConfigError',
      message: expect.stringMatching(/^invalid configuration: LANGSMITH_API_KEY contains whitespace/),
    });
    refusals.push(exposedValue('entry point import', startup));

    expect(refusals).toHaveLength(variants.length + 1);
    expect(canaryHits(KEYS, [...refusals, ...output(), ...received(), ...(await filesUnder(root))])).toEqual(
      [],
    );
    expect(langsmith.requests).toEqual([]);
    expect(ollama.requests).toEqual([]);
  });
});
