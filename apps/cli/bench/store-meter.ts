import type {
  CompactionCollection,
  EmbeddingDeltaStore,
  EmbeddingSnapshotStore,
  EmbeddingVector,
  FieldsOf,
  SnapshotPatch,
} from '@receipt-gate/core';

/** Calls of one store operation: how many, and the time spent in them (overlapping calls each counted). */
export interface OperationStats {
  calls: number;
  ms: number;
}

/** Counts and times every call the handlers make to the embedding stores, by operation. */
export class StoreMeter {
  readonly operations = new Map<string, OperationStats>();

  async #timed<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    try {
      return await call();
    } finally {
      const stats = this.operations.get(operation) ?? { calls: 0, ms: 0 };
      stats.calls++;
      stats.ms += performance.now() - startedAt;
      this.operations.set(operation, stats);
    }
  }

  deltas(store: EmbeddingDeltaStore): EmbeddingDeltaStore {
    return {
      putDelta: (prefix: string, vectors: readonly EmbeddingVector[]) =>
        this.#timed('deltas.putDelta', () => store.putDelta(prefix, vectors)),
      getDelta: (prefix: string) => this.#timed('deltas.getDelta', () => store.getDelta(prefix)),
    };
  }

  snapshots(store: EmbeddingSnapshotStore): EmbeddingSnapshotStore {
    return {
      merge: (collection: CompactionCollection, vectors: readonly EmbeddingVector[]) =>
        this.#timed('snapshots.merge', () => store.merge(collection, vectors)),
      patch: (collection: CompactionCollection, patches: readonly SnapshotPatch[]) =>
        this.#timed('snapshots.patch', () => store.patch(collection, patches)),
      refresh: (collection: CompactionCollection, prefix: string, fieldsOf: FieldsOf) =>
        this.#timed('snapshots.refresh', () => store.refresh(collection, prefix, fieldsOf)),
      list: (collection: CompactionCollection, prefix: string) =>
        this.#timed('snapshots.list', () => store.list(collection, prefix)),
    };
  }
}
