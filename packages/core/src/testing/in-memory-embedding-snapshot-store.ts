import { holdsFields } from '../compaction/holds-fields.js';
import type { CompactionCollection } from '../domain/compaction-state.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import type { Clock } from '../ports/clock.js';
import type {
  EmbeddingSnapshotStore,
  EmbeddingVector,
  FieldsOf,
  SnapshotPatch,
  VectorMetadataValue,
} from '../ports/embedding-store.js';
import { FaultInjector } from './fault-injector.js';

export interface InMemoryEmbeddingSnapshotStoreOptions {
  /** With a clock, each logged write carries the time it was made. */
  readonly clock?: Clock;
  /** The length of every vector; without it, each collection takes the length of the first vector merged. */
  readonly dimensions?: number;
  /** Attempts of a refresh that keeps losing to other writes before it fails transiently (default 20). */
  readonly maxRefreshAttempts?: number;
}

/** One patch of a logged patch call, with how many vectors it patched (0: it found nothing to patch). */
export interface LoggedPatch extends SnapshotPatch {
  readonly patched: number;
}

/** One merge or patch call that reached the store (past fault injection). */
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
      readonly patches: readonly LoggedPatch[];
    }
  | {
      readonly at?: number;
      readonly operation: 'refresh';
      readonly collection: CompactionCollection;
      readonly idPrefix: string;
      /** The vectors whose fields changed. */
      readonly ids: readonly string[];
    };

/**
 * EmbeddingSnapshotStore in memory: one map per collection, each call atomic except a refresh, which is a
 * compare-and-set on per-vector revisions around its `fieldsOf` (other calls may run while it awaits). Logs every
 * write for ordering proofs, injects faults per operation, refuses vectors of another dimension, and hands out
 * copies so callers cannot change what is stored. Values are kept exactly (no float32 rounding).
 */
export class InMemoryEmbeddingSnapshotStore implements EmbeddingSnapshotStore {
  readonly mergeFaults = new FaultInjector();
  readonly patchFaults = new FaultInjector();
  readonly refreshFaults = new FaultInjector();
  readonly listFaults = new FaultInjector();
  readonly writes: SnapshotWrite[] = [];
  readonly #collections: Record<CompactionCollection, Map<string, EmbeddingVector>> = {
    lines: new Map(),
    words: new Map(),
  };
  /** Bumped by every write of a vector: what a refresh compares. */
  readonly #revisions: Record<CompactionCollection, Map<string, number>> = {
    lines: new Map(),
    words: new Map(),
  };
  readonly #dimensions: Partial<Record<CompactionCollection, number>> = {};
  readonly #options: InMemoryEmbeddingSnapshotStoreOptions;

  constructor(options: InMemoryEmbeddingSnapshotStoreOptions = {}) {
    this.#options = options;
  }

  async merge(collection: CompactionCollection, vectors: readonly EmbeddingVector[]): Promise<number> {
    await this.mergeFaults.apply('merge');
    const dimensions = this.#options.dimensions ?? this.#dimensions[collection] ?? vectors[0]?.values.length;
    const wrong = vectors.find((vector) => vector.values.length !== dimensions);
    if (wrong) {
      throw new InvalidValueError(
        `${collection}.vector`,
        `${wrong.id} has ${wrong.values.length} values, the ${collection} snapshot holds vectors of ${dimensions}`,
      );
    }
    if (dimensions !== undefined) this.#dimensions[collection] = dimensions;
    for (const vector of vectors) this.#store(collection, copy(vector));
    const ids = [...new Set(vectors.map((vector) => vector.id))];
    this.writes.push({ ...this.#at(), operation: 'merge', collection, ids });
    return ids.length;
  }

  async patch(collection: CompactionCollection, patches: readonly SnapshotPatch[]): Promise<number[]> {
    await this.patchFaults.apply('patch');
    const stored = this.#collections[collection];
    const logged = patches.map(({ idPrefix, fields }): LoggedPatch => {
      let patched = 0;
      for (const [id, vector] of stored) {
        if (!id.startsWith(idPrefix)) continue;
        this.#store(collection, copy({ ...vector, metadata: { ...vector.metadata, ...fields } }));
        patched++;
      }
      return { idPrefix, fields: copyMetadata(fields), patched };
    });
    this.writes.push({ ...this.#at(), operation: 'patch', collection, patches: logged });
    return logged.map(({ patched }) => patched);
  }

  async refresh(collection: CompactionCollection, idPrefix: string, fieldsOf: FieldsOf): Promise<number> {
    const maxAttempts = this.#options.maxRefreshAttempts ?? 20;
    for (let attempt = 1; ; attempt++) {
      await this.refreshFaults.apply('refresh');
      const found = this.peek(collection).filter((vector) => vector.id.startsWith(idPrefix));
      if (found.length === 0) return 0;
      const read = new Map(found.map((vector) => [vector.id, this.#revision(collection, vector.id)]));
      const fields = await fieldsOf(found);
      const now = this.peek(collection).filter((vector) => vector.id.startsWith(idPrefix));
      const unchanged =
        now.length === read.size &&
        now.every((vector) => read.get(vector.id) === this.#revision(collection, vector.id));
      if (unchanged) {
        const changed = now.flatMap((vector) => {
          const update = fields.get(vector.id);
          if (!update || holdsFields(vector.metadata, update)) return [];
          this.#store(collection, copy({ ...vector, metadata: { ...vector.metadata, ...update } }));
          return [vector.id];
        });
        if (changed.length > 0) {
          this.writes.push({ ...this.#at(), operation: 'refresh', collection, idPrefix, ids: changed });
        }
        return found.length;
      }
      if (attempt >= maxAttempts) {
        throw new TransientStoreError(
          `refresh of ${idPrefix}: other writes won ${attempt} attempts in a row`,
        );
      }
    }
  }

  async list(collection: CompactionCollection, idPrefix: string): Promise<EmbeddingVector[]> {
    await this.listFaults.apply('list');
    return this.peek(collection).filter((vector) => vector.id.startsWith(idPrefix));
  }

  /** Every vector of a collection, ordered by id, without injecting a fault (for assertions). */
  peek(collection: CompactionCollection): EmbeddingVector[] {
    return [...this.#collections[collection].values()].sort(byId).map(copy);
  }

  #store(collection: CompactionCollection, vector: EmbeddingVector): void {
    this.#collections[collection].set(vector.id, vector);
    this.#revisions[collection].set(vector.id, this.#revision(collection, vector.id) + 1);
  }

  #revision(collection: CompactionCollection, id: string): number {
    return this.#revisions[collection].get(id) ?? 0;
  }

  #at(): { at?: number } {
    const at = this.#options.clock?.now();
    return at === undefined ? {} : { at };
  }
}

function copyMetadata(
  metadata: Readonly<Record<string, VectorMetadataValue>>,
): Record<string, VectorMetadataValue> {
  return Object.fromEntries(
    Object.entries(metadata).map(([key, value]) => [key, Array.isArray(value) ? [...value] : value]),
  );
}

function copy(vector: EmbeddingVector): EmbeddingVector {
  return { id: vector.id, values: [...vector.values], metadata: copyMetadata(vector.metadata) };
}

// Code-unit order, as a key-ordered store lists ids (not locale order).
function byId(a: EmbeddingVector, b: EmbeddingVector): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
