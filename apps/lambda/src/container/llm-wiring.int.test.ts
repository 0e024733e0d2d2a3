import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LangSmithServer, startLangSmithServer } from '../../test/loopback/langsmith-server.js';
import { type LoopbackOllama, startLoopbackOllama } from '../../test/loopback/ollama-server.js';
import { sampleScript } from '../adapters/llm/scripted-model.test-support.js';
import { configFromEnv } from '../config/app-config.js';
import { createContainer } from './create-container.js';
import { TOKENS } from './tokens.js';

const LANGSMITH_KEY = 'lsv2_pt_loopback_secret_0123456789';
const OLLAMA_KEY = 'ollama_loopback_secret_9876543210';
const sample = SAMPLE_RECEIPTS[1];
if (!sample) throw new Error('no sample receipt');
const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

describe('the container with RECEIPT_ANALYZER=ollama (loopback Ollama and LangSmith)', () => {
  let ollama: LoopbackOllama;
  let langsmith: LangSmithServer;
  beforeEach(async () => {
    ollama = await startLoopbackOllama(sampleScript(sample));
    langsmith = await startLangSmithServer({ apiKey: LANGSMITH_KEY });
  });
  afterEach(async () => {
    await Promise.all([ollama.close(), langsmith.close()]);
  });

  const uploadWith = async (env: Record<string, string>) => {
    const container = createContainer(
      configFromEnv({
        RECEIPT_GATE_STORE: 'memory',
        // No compactor runs in memory: the wait times out quickly and the default policy writes anyway.
        GATE_POLL_INTERVAL_MS: '50',
        GATE_MAX_WAIT_MS: '200',
        OLLAMA_HOST: ollama.url,
        OLLAMA_API_KEY: OLLAMA_KEY,
        LANGSMITH_TRACING: 'true',
        LANGSMITH_ENDPOINT: langsmith.url,
        LANGSMITH_API_KEY: LANGSMITH_KEY,
        LANGSMITH_PROJECT: 'receipt-gate-test',
        ...env,
      }),
    );
    const envBefore = JSON.stringify(process.env);
    const result = await container.get(TOKENS.UploadHandler)({ ...sample }, context);
    expect(JSON.stringify(process.env)).toBe(envBefore);
    const labels = await container.get(TOKENS.LabelRepository).getLabels(sample);
    return { result, labels };
  };

  it('labels with the LLM, and its traces reach LangSmith before the handler resolves, without either key', async () => {
    const { result, labels } = await uploadWith({});
    expect(result.validation?.analyzer).toBe('LANGGRAPH_OLLAMA');
    expect(labels.length).toBeGreaterThan(10);
    expect(labels.every((label) => label.labelProposedBy === 'LANGGRAPH_OLLAMA')).toBe(true);

    const runs = langsmith.runs();
    expect(runs.some((run) => run.tags?.includes(`image:${sample.imageId}`))).toBe(true);
    const bodies = langsmith.requests.map((request) => request.body).join('\n');
    expect(bodies).not.toContain(LANGSMITH_KEY);
    expect(bodies).not.toContain(OLLAMA_KEY);
    expect(ollama.requests.map((request) => request.rawBody).join('\n')).not.toContain(OLLAMA_KEY);
    expect(ollama.requests.every((request) => request.headers.authorization === `Bearer ${OLLAMA_KEY}`)).toBe(
      true,
    );
  });

  it('falls back to the offline analyzer when the LLM fails entirely, and says so in label_proposed_by', async () => {
    ollama.script(() => ({ status: 500, error: 'model crashed' }));
    const { result, labels } = await uploadWith({ OLLAMA_MAX_RETRIES: '0' });
    expect(result.validation?.analyzer).toBe('OFFLINE_ANALYZER');
    expect(labels.length).toBeGreaterThan(10);
    expect(labels.every((label) => label.labelProposedBy === 'OFFLINE_ANALYZER')).toBe(true);
  });

  it('keeps one call in flight with OLLAMA_PROFILE=local-cpu, where the hosted profile runs several', async () => {
    const mostInFlight = async (env: Record<string, string>) => {
      const script = sampleScript(sample);
      let inFlight = 0;
      let most = 0;
      ollama.script(async (body, index) => {
        most = Math.max(most, ++inFlight);
        // Holds the call open a moment, so calls sent together overlap here.
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
        return script(body, index);
      });
      const { result } = await uploadWith(env);
      expect(result.validation?.analyzer).toBe('LANGGRAPH_OLLAMA');
      return most;
    };
    expect(await mostInFlight({ OLLAMA_PROFILE: 'local-cpu' })).toBe(1);
    expect(await mostInFlight({})).toBeGreaterThan(1);
  });

  it('fails the invocation instead when the fallback is `fail`, writing nothing', async () => {
    ollama.script(() => ({ status: 500, error: 'model crashed' }));
    await expect(uploadWith({ OLLAMA_MAX_RETRIES: '0', ANALYZER_FALLBACK: 'fail' })).rejects.toThrow();
  });
});
