import { join, resolve } from 'node:path';
import type {
  CompactionCollection,
  EmbeddingSnapshotStore,
  EmbeddingVector,
  VectorMetadataValue,
} from '@receipt-gate/core';
import { KeyedMutex } from './keyed-mutex.js';
import { readVectorFile, writeVectorFile } from './vector-file.js';

// Keyed by file path and shared by every instance, so two stores on one directory in this process still take
// turns. Other processes are not excluded: give each process its own directory.
const files = new KeyedMutex<string>();

/**
 * EmbeddingSnapshotStore on local disk for the local runtime and tests: `lines.json` and `words.json` in
 * `directory`, each a list of vectors ordered by id. Every merge or patch rewrites its file atomically, one
 * at a time per file, so concurrent calls never lose each other's writes and a crash leaves the last snapshot.
 */
export class LocalDiskEmbeddingSnapshotStore implements EmbeddingSnapshotStore {
  readonly #directory: string;

  constructor(directory: string) {
    this.#directory = resolve(directory);
  }

  merge(collection: CompactionCollection, vectors: readonly EmbeddingVector[]): Promise<number> {
    return this.#update(collection, (stored) => {
      for (const vector of vectors) stored.set(vector.id, vector);
      return new Set(vectors.map((vector) => vector.id)).size;
    });
  }

  patch(
    collection: CompactionCollection,
    idPrefix: string,
    fields: Readonly<Record<string, VectorMetadataValue>>,
  ): Promise<number> {
    return this.#update(collection, (stored) => {
      let patched = 0;
      for (const [id, vector] of stored) {
        if (!id.startsWith(idPrefix)) continue;
        stored.set(id, { ...vector, metadata: { ...vector.metadata, ...fields } });
        patched++;
      }
      return patched;
    });
  }

  // No turn needed: a rename replaces the file whole, so a read sees one snapshot or the next.
  async list(collection: CompactionCollection, idPrefix: string): Promise<EmbeddingVector[]> {
    const vectors = (await readVectorFile(this.#fileOf(collection))) ?? [];
    return vectors.filter((vector) => vector.id.startsWith(idPrefix));
  }

  /** Reads the collection, applies `change` (which returns the count to report), writes it back if it changed. */
  #update(collection: CompactionCollection, change: (stored: Map<string, EmbeddingVector>) => number) {
    const file = this.#fileOf(collection);
    return files.run(file, async () => {
      const vectors = (await readVectorFile(file)) ?? [];
      const stored = new Map(vectors.map((vector) => [vector.id, vector]));
      const count = change(stored);
      if (count > 0) await writeVectorFile(file, [...stored.values()].sort(byId));
      return count;
    });
  }

  #fileOf(collection: CompactionCollection): string {
    return join(this.#directory, `${collection}.json`);
  }
}

// Code-unit order, as the port promises (not locale order).
function byId(a: EmbeddingVector, b: EmbeddingVector): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
