import type { CompactionCollection } from '../domain/compaction-state.js';
import type { Clock } from '../ports/clock.js';
import type {
  EmbeddingSnapshotStore,
  EmbeddingVector,
  VectorMetadataValue,
} from '../ports/embedding-store.js';
import { FaultInjector } from './fault-injector.js';

export interface InMemoryEmbeddingSnapshotStoreOptions {
  /** With a clock, each logged write carries the time it was made. */
  readonly clock?: Clock;
}

/** One merge or patch that reached the store (past fault injection). */
export type SnapshotWrite =
  | {
      readonly at?: number;
      readonly operation: 'merge';
      readonly collection: CompactionCollection;
      readonly ids: readonly string[];
    }
  | {
      readonly at?: number;
      readonly operation: 'patch';
      readonly collection: CompactionCollection;
      readonly idPrefix: string;
      readonly fields: Readonly<Record<string, VectorMetadataValue>>;
      /** Vectors patched; 0 means the update found nothing to patch. */
      readonly patched: number;
    };

/**
 * EmbeddingSnapshotStore in memory: one map per collection, each call atomic. Logs every write for ordering
 * proofs, injects faults per operation, and hands out copies so callers cannot change what is stored.
 */
export class InMemoryEmbeddingSnapshotStore implements EmbeddingSnapshotStore {
  readonly mergeFaults = new FaultInjector();
  readonly patchFaults = new FaultInjector();
  readonly listFaults = new FaultInjector();
  readonly writes: SnapshotWrite[] = [];
  readonly #collections: Record<CompactionCollection, Map<string, EmbeddingVector>> = {
    lines: new Map(),
    words: new Map(),
  };
  readonly #options: InMemoryEmbeddingSnapshotStoreOptions;

  constructor(options: InMemoryEmbeddingSnapshotStoreOptions = {}) {
    this.#options = options;
  }

  async merge(collection: CompactionCollection, vectors: readonly EmbeddingVector[]): Promise<number> {
    await this.mergeFaults.apply('merge');
    const stored = this.#collections[collection];
    for (const vector of vectors) stored.set(vector.id, copy(vector));
    const ids = [...new Set(vectors.map((vector) => vector.id))];
    this.writes.push({ ...this.#at(), operation: 'merge', collection, ids });
    return ids.length;
  }

  async patch(
    collection: CompactionCollection,
    idPrefix: string,
    fields: Readonly<Record<string, VectorMetadataValue>>,
  ): Promise<number> {
    await this.patchFaults.apply('patch');
    const stored = this.#collections[collection];
    let patched = 0;
    for (const [id, vector] of stored) {
      if (!id.startsWith(idPrefix)) continue;
      stored.set(id, { ...vector, metadata: { ...vector.metadata, ...fields } });
      patched++;
    }
    this.writes.push({
      ...this.#at(),
      operation: 'patch',
      collection,
      idPrefix,
      fields: { ...fields },
      patched,
    });
    return patched;
  }

  async list(collection: CompactionCollection, idPrefix: string): Promise<EmbeddingVector[]> {
    await this.listFaults.apply('list');
    return this.peek(collection).filter((vector) => vector.id.startsWith(idPrefix));
  }

  /** Every vector of a collection, ordered by id, without injecting a fault (for assertions). */
  peek(collection: CompactionCollection): EmbeddingVector[] {
    return [...this.#collections[collection].values()].sort(byId).map(copy);
  }

  #at(): { at?: number } {
    const at = this.#options.clock?.now();
    return at === undefined ? {} : { at };
  }
}

function copy(vector: EmbeddingVector): EmbeddingVector {
  return { id: vector.id, values: [...vector.values], metadata: { ...vector.metadata } };
}

// Code-unit order, as a key-ordered store lists ids (not locale order).
function byId(a: EmbeddingVector, b: EmbeddingVector): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
