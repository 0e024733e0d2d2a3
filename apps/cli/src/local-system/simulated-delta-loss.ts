import type { EmbeddingDeltaStore, EmbeddingVector } from '@receipt-gate/core';

/** A delta the simulation may lose: its prefix, and the image its vectors belong to. */
export interface DeltaRef {
  readonly prefix: string;
  readonly imageId: string | undefined;
}

/**
 * Fault injection for the demo and end-to-end tests: a delta store whose chosen deltas cannot be read, as a lost
 * or corrupt delta object would be. The compactor then marks that collection FAILED. Delta prefixes name only
 * the run (`words/delta/<run_id>/`), so the image of each delta is noted when it is put.
 */
export class SimulatedDeltaLoss implements EmbeddingDeltaStore {
  readonly #images = new Map<string, string>();

  constructor(
    private readonly store: EmbeddingDeltaStore,
    private readonly lost: (delta: DeltaRef) => boolean,
  ) {}

  putDelta(prefix: string, vectors: readonly EmbeddingVector[]): Promise<void> {
    const imageId = vectors[0]?.id.split('#')[1];
    if (imageId) this.#images.set(prefix, imageId);
    return this.store.putDelta(prefix, vectors);
  }

  deleteDelta(prefix: string): Promise<void> {
    return this.store.deleteDelta(prefix);
  }

  async getDelta(prefix: string): Promise<EmbeddingVector[] | undefined> {
    if (this.lost({ prefix, imageId: this.#images.get(prefix) })) {
      throw new Error(`simulated fault: the delta under "${prefix}" could not be read`);
    }
    return this.store.getDelta(prefix);
  }
}
