import type { EmbeddingDeltaStore, EmbeddingVector } from '../ports/embedding-store.js';
import { FaultInjector } from './fault-injector.js';

/** EmbeddingDeltaStore in memory: one delta per prefix, written whole; faults injected per direction. */
export class InMemoryEmbeddingDeltaStore implements EmbeddingDeltaStore {
  /** Applied to getDelta. */
  readonly readFaults = new FaultInjector();
  /** Applied to putDelta. */
  readonly writeFaults = new FaultInjector();
  readonly #deltas = new Map<string, EmbeddingVector[]>();

  async putDelta(prefix: string, vectors: readonly EmbeddingVector[]): Promise<void> {
    await this.writeFaults.apply('putDelta');
    this.#deltas.set(prefix, vectors.map(copy));
  }

  async getDelta(prefix: string): Promise<EmbeddingVector[] | undefined> {
    await this.readFaults.apply('getDelta');
    return this.#deltas.get(prefix)?.map(copy);
  }
}

function copy(vector: EmbeddingVector): EmbeddingVector {
  const metadata = Object.entries(vector.metadata).map(([key, value]) => [
    key,
    Array.isArray(value) ? [...value] : value,
  ]);
  return { id: vector.id, values: [...vector.values], metadata: Object.fromEntries(metadata) };
}
