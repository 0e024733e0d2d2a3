import type { Embedder } from '@receipt-gate/core';

/**
 * An embedder that remembers each text's vector: the sample receipts repeat across thousands of simulated
 * receipts, and the hashing embedder is deterministic, so this only saves time. Callers get copies.
 */
export class CachingEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;
  readonly #inner: Embedder;
  readonly #cache = new Map<string, readonly number[]>();

  constructor(inner: Embedder) {
    this.#inner = inner;
    this.name = inner.name;
    this.dimensions = inner.dimensions;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    const missing = [...new Set(texts.filter((text) => !this.#cache.has(text)))];
    if (missing.length > 0) {
      const vectors = await this.#inner.embed(missing);
      missing.forEach((text, i) => {
        this.#cache.set(text, vectors[i] ?? []);
      });
    }
    return texts.map((text) => [...(this.#cache.get(text) ?? [])]);
  }
}
