import type { EmbeddingDeltaStore, EmbeddingVector } from '@receipt-gate/core';

/**
 * Fault injection for the demo and end-to-end tests: a delta store whose deltas under chosen prefixes cannot be
 * read, as a lost or corrupt delta object would be. The compactor then marks that collection FAILED.
 */
export class SimulatedDeltaLoss implements EmbeddingDeltaStore {
  constructor(
    private readonly store: EmbeddingDeltaStore,
    private readonly lost: (prefix: string) => boolean,
  ) {}

  putDelta(prefix: string, vectors: readonly EmbeddingVector[]): Promise<void> {
    return this.store.putDelta(prefix, vectors);
  }

  async getDelta(prefix: string): Promise<EmbeddingVector[] | undefined> {
    if (this.lost(prefix)) throw new Error(`simulated fault: the delta under "${prefix}" could not be read`);
    return this.store.getDelta(prefix);
  }
}
