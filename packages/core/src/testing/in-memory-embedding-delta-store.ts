import type { EmbeddingDeltaStore, EmbeddingVector } from '../ports/embedding-store.js';
import { FaultInjector } from './fault-injector.js';

/** EmbeddingDeltaStore in memory: one delta per prefix, written whole; faults injected per operation. */
export class InMemoryEmbeddingDeltaStore implements EmbeddingDeltaStore {
  /** Applied to getDelta. */
  readonly readFaults = new FaultInjector();
  /** Applied to putDelta. */
  readonly writeFaults = new FaultInjector();
  /** Applied to deleteDelta. */
  readonly deleteFaults = new FaultInjector();
  readonly #deltas = new Map<string, EmbeddingVector[]>();

  async putDelta(prefix: string, vectors: readonly EmbeddingVector[]): Promise<void> {
    await this.writeFaults.apply('putDelta');
    this.#deltas.set(prefix, vectors.map(copy));
  }

  async getDelta(prefix: string): Promise<EmbeddingVector[] | undefined> {
    await this.readFaults.apply('getDelta');
    return this.#deltas.get(prefix)?.map(copy);
  }

  async deleteDelta(prefix: string): Promise<void> {
    await this.deleteFaults.apply('deleteDelta');
    this.#deltas.delete(prefix);
  }

  /** The prefixes that hold a delta, sorted (for assertions). */
  prefixes(): string[] {
    return [...this.#deltas.keys()].sort();
  }
}

function copy(vector: EmbeddingVector): EmbeddingVector {
  const metadata = Object.entries(vector.metadata).map(([key, value]) => [
    key,
    Array.isArray(value) ? [...value] : value,
  ]);
  return { id: vector.id, values: [...vector.values], metadata: Object.fromEntries(metadata) };
}
