import { InvalidValueError, TransientStoreError } from '@receipt-gate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackOllama, startLoopbackOllama } from '../../../test/loopback/ollama-server.js';
import { OllamaConfig } from '../llm/ollama-config.js';
import { OllamaEmbedder } from './ollama-embedder.js';

let ollama: LoopbackOllama;
beforeAll(async () => {
  ollama = await startLoopbackOllama();
});
afterAll(() => ollama.close());

const KEY = 'sk-embed-secret-123';
const embedder = (options: { dimensions?: number; maxRetries?: number; batchSize?: number } = {}) =>
  new OllamaEmbedder({
    ollama: new OllamaConfig({
      host: ollama.url,
      apiKey: KEY,
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: 5_000,
    }),
    model: 'nomic-embed-text',
    dimensions: options.dimensions ?? 3,
    backoffBaseMs: 1,
    ...(options.batchSize && { batchSize: options.batchSize }),
  });
const vectorOf = (text: string) => [text.length, 0.5, -1];
const embedBodies = () =>
  ollama.requests
    .filter((r) => r.path === '/api/embed')
    .map((r) => r.body as { model: string; input: string[] });

describe('OllamaEmbedder', () => {
  it('embeds texts in batches through /api/embed with the model and key, in order', async () => {
    const before = embedBodies().length;
    ollama.embeddings((request) => ({ embeddings: [...(request.input ?? [])].map(vectorOf) }));
    const texts = ['TOTAL', 'SUBTOTAL', 'TAX', 'CASH', 'CHANGE'];
    expect(await embedder({ batchSize: 2 }).embed(texts)).toEqual(texts.map(vectorOf));
    const sent = embedBodies().slice(before);
    expect(sent.map((body) => body.input)).toEqual([['TOTAL', 'SUBTOTAL'], ['TAX', 'CASH'], ['CHANGE']]);
    expect(sent.every((body) => body.model === 'nomic-embed-text')).toBe(true);
    expect(ollama.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(await embedder().embed([])).toEqual([]);
  });

  it('refuses vectors of another length than configured, naming both', async () => {
    ollama.embeddings((request) => ({ embeddings: [...(request.input ?? [])].map(() => [1, 2, 3, 4]) }));
    const failure = embedder({ dimensions: 3 }).embed(['TOTAL']);
    await expect(failure).rejects.toBeInstanceOf(InvalidValueError);
    await expect(failure).rejects.toThrow(
      "Ollama's nomic-embed-text returned a vector of 4 values, the configuration says 3",
    );
    ollama.embeddings(() => ({ embeddings: [] }));
    await expect(embedder().embed(['TOTAL'])).rejects.toThrow('Ollama returned 0 vectors for 1 texts');
  });

  it('retries a transient failure, then fails transiently once the retries are spent, without the key', async () => {
    ollama.embeddings((request, index) =>
      index < 2
        ? { status: 503, error: `overloaded ${KEY}` }
        : { embeddings: [...(request.input ?? [])].map(vectorOf) },
    );
    expect(await embedder({ maxRetries: 2 }).embed(['TAX'])).toEqual([vectorOf('TAX')]);
    ollama.embeddings(() => ({ status: 503, error: `overloaded ${KEY}` }));
    const before = embedBodies().length;
    const failure = embedder({ maxRetries: 1 }).embed(['TAX']);
    await expect(failure).rejects.toBeInstanceOf(TransientStoreError);
    await expect(failure).rejects.toThrow('HTTP 503: overloaded [redacted]');
    expect(embedBodies().length - before).toBe(2);
  });

  it('does not retry a permanent failure such as an unknown model', async () => {
    ollama.embeddings(() => ({
      status: 404,
      error: 'model "nomic-embed-text" not found, try pulling it first',
    }));
    const before = embedBodies().length;
    const failure = embedder({ maxRetries: 3 }).embed(['TAX']);
    await expect(failure).rejects.not.toBeInstanceOf(TransientStoreError);
    await expect(failure).rejects.toThrow('HTTP 404: model "nomic-embed-text" not found');
    expect(embedBodies().length - before).toBe(1);
  });
});
