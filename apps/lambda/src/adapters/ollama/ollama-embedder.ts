import { type Embedder, InvalidValueError, TransientStoreError } from '@receipt-gate/core';
import type { EmbedResponse } from 'ollama';
import type { OllamaConfig } from '../llm/ollama-config.js';

export const DEFAULT_EMBEDDING_MODEL = 'nomic-embed-text';

export interface OllamaEmbedderOptions {
  /** Where and how to call Ollama: host, key, timeout and retries (shared with the LLM analyzer). */
  readonly ollama: OllamaConfig;
  /** An embedding model, e.g. `nomic-embed-text` (768 values). */
  readonly model: string;
  /** The length the model's vectors must have: the snapshot tables are created and checked with it. */
  readonly dimensions: number;
  /** Texts per request. */
  readonly batchSize?: number;
  /** Before retry n: a random delay up to baseMs * 2^(n-1). */
  readonly backoffBaseMs?: number;
  readonly fetch?: typeof fetch;
}

/**
 * An Embedder on Ollama's embed API (`/api/embed`, through the `ollama` client), in batches. Each request is
 * bounded by the configured timeout; a transient failure (429, 5xx, network, timeout) is retried up to the
 * configured count and then raised as a TransientStoreError; a vector of another length than `dimensions`
 * (another model than configured) is refused, never cut or padded. Errors are scrubbed of the API key.
 */
export class OllamaEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;
  readonly #options: OllamaEmbedderOptions;

  constructor(options: OllamaEmbedderOptions) {
    if (!Number.isSafeInteger(options.dimensions) || options.dimensions < 1) {
      throw new InvalidValueError('dimensions', `expected a positive integer, got ${options.dimensions}`);
    }
    this.#options = options;
    this.dimensions = options.dimensions;
    this.name = `ollama-${options.model}-${options.dimensions}`;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const size = this.#options.batchSize ?? 64;
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += size) {
      vectors.push(...(await this.#embedBatch(texts.slice(start, start + size))));
    }
    return vectors;
  }

  async #embedBatch(input: readonly string[]): Promise<number[][]> {
    const { ollama, model } = this.#options;
    for (let attempt = 1; ; attempt++) {
      let reply: EmbedResponse;
      try {
        reply = await this.#call(input);
      } catch (error) {
        const failure = this.#describe(error);
        if (!failure.transient) throw new Error(failure.message);
        if (attempt > ollama.maxRetries) throw new TransientStoreError(failure.message);
        const base = this.#options.backoffBaseMs ?? 250;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * base * 2 ** (attempt - 1)));
        continue;
      }
      const { embeddings } = reply;
      const wrong =
        !Array.isArray(embeddings) || embeddings.length !== input.length
          ? `${Array.isArray(embeddings) ? embeddings.length : 'no'} vectors for ${input.length} texts`
          : embeddings.find((v) => v.length !== this.dimensions || !v.every(Number.isFinite))?.length;
      if (wrong !== undefined) {
        throw new InvalidValueError(
          `embedder ${this.name}`,
          typeof wrong === 'string'
            ? `Ollama returned ${wrong}`
            : `Ollama's ${model} returned a vector of ${wrong} values, the configuration says ${this.dimensions}`,
        );
      }
      return embeddings;
    }
  }

  async #call(input: readonly string[]): Promise<EmbedResponse> {
    const { ollama, model } = this.#options;
    const fetcher = this.#options.fetch ?? fetch;
    // Loaded on first use, like the LLM analyzer: the offline embedder's functions never pay for the client.
    const { Ollama } = await import('ollama');
    const client = new Ollama({
      host: ollama.host,
      headers: ollama.authHeaders(),
      fetch: (url, init) => fetcher(url, { ...init, signal: AbortSignal.timeout(ollama.timeoutMs) }),
    });
    return client.embed({ model, input: [...input], truncate: true });
  }

  #describe(error: unknown): { transient: boolean; message: string } {
    const { name, message, status_code } = (error ?? {}) as {
      name?: unknown;
      message?: unknown;
      status_code?: unknown;
    };
    const text = this.#options.ollama.redact(String(message)).slice(0, 300);
    const prefix = `Ollama embed with ${this.#options.model}`;
    if (name === 'TimeoutError') {
      return { transient: true, message: `${prefix}: no reply within ${this.#options.ollama.timeoutMs} ms` };
    }
    if (name === 'ResponseError' && typeof status_code === 'number') {
      const transient = status_code === 408 || status_code === 429 || status_code >= 500;
      return { transient, message: `${prefix}: HTTP ${status_code}: ${text}` };
    }
    // fetch's own failures (refused, reset, DNS) are TypeErrors.
    return { transient: error instanceof TypeError, message: `${prefix}: ${text}` };
  }
}
