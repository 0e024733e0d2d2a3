import type {
  CompactionCollection,
  EmbeddingSnapshotStore,
  EmbeddingVector,
  FieldsOf,
  SnapshotPatch,
} from '@receipt-gate/core';

/**
 * An EmbeddingSnapshotStore built on first use. LanceDB is a native module of about 155 MB: loading it lazily keeps
 * it out of the init of every function that never touches the snapshots (the bundles carry it in the dispatcher's
 * artifact only). A failed load is not kept, so the next call tries again.
 */
export class LazyEmbeddingSnapshotStore implements EmbeddingSnapshotStore {
  #store: Promise<EmbeddingSnapshotStore> | undefined;

  constructor(private readonly create: () => Promise<EmbeddingSnapshotStore>) {}

  /** The store, built (once) if it was not yet. */
  load(): Promise<EmbeddingSnapshotStore> {
    this.#store ??= this.create().catch((error: unknown) => {
      this.#store = undefined;
      throw error;
    });
    return this.#store;
  }

  async merge(collection: CompactionCollection, vectors: readonly EmbeddingVector[]): Promise<number> {
    return (await this.load()).merge(collection, vectors);
  }

  async patch(collection: CompactionCollection, patches: readonly SnapshotPatch[]): Promise<number[]> {
    return (await this.load()).patch(collection, patches);
  }

  async refresh(collection: CompactionCollection, idPrefix: string, fieldsOf: FieldsOf): Promise<number> {
    return (await this.load()).refresh(collection, idPrefix, fieldsOf);
  }

  async list(collection: CompactionCollection, idPrefix: string): Promise<EmbeddingVector[]> {
    return (await this.load()).list(collection, idPrefix);
  }
}
