import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type {
  CompactionCollection,
  EmbeddingSnapshotStore,
  EmbeddingVector,
  VectorMetadataValue,
} from '@receipt-gate/core';
import { KeyedMutex } from './keyed-mutex.js';
import { shardOfId, shardOfPrefix } from './snapshot-shard.js';
import { readVectorFile, writeVectorFile } from './vector-file.js';

// Keyed by file path and shared by every instance, so two stores on one directory in this process still take
// turns. Other processes are not excluded: give each process its own directory.
const files = new KeyedMutex<string>();

const SHARD_EXTENSION = '.json';

/**
 * EmbeddingSnapshotStore on local disk for the local runtime and tests: each collection is a folder in
 * `directory` holding one file per receipt (`words/{image_id}_{receipt_id}.json`, see snapshot-shard.ts), each a
 * list of vectors ordered by id. A merge or patch rewrites the files of the receipts it touches atomically, one
 * at a time per file, so concurrent calls never lose each other's writes, a crash leaves the last version of
 * each file, and the cost of a change follows its receipt, not the whole snapshot. A merge or a patch that
 * spans receipts is atomic per receipt (the compactor's merge and patches each touch one receipt). A prefix
 * shorter than a receipt's is served by reading every file of the collection.
 */
export class LocalDiskEmbeddingSnapshotStore implements EmbeddingSnapshotStore {
  readonly #directory: string;

  constructor(directory: string) {
    this.#directory = resolve(directory);
  }

  async merge(collection: CompactionCollection, vectors: readonly EmbeddingVector[]): Promise<number> {
    const byShard = new Map<string, EmbeddingVector[]>();
    for (const vector of vectors) {
      const shard = shardOfId(vector.id);
      const group = byShard.get(shard);
      if (group) group.push(vector);
      else byShard.set(shard, [vector]);
    }
    let merged = 0;
    for (const [shard, group] of byShard) {
      merged += await this.#update(collection, shard, (stored) => {
        for (const vector of group) stored.set(vector.id, vector);
        return new Set(group.map((vector) => vector.id)).size;
      });
    }
    return merged;
  }

  async patch(
    collection: CompactionCollection,
    idPrefix: string,
    fields: Readonly<Record<string, VectorMetadataValue>>,
  ): Promise<number> {
    let patched = 0;
    for (const shard of await this.#shardsUnder(collection, idPrefix)) {
      patched += await this.#update(collection, shard, (stored) => {
        let count = 0;
        for (const [id, vector] of stored) {
          if (!id.startsWith(idPrefix)) continue;
          stored.set(id, { ...vector, metadata: { ...vector.metadata, ...fields } });
          count++;
        }
        return count;
      });
    }
    return patched;
  }

  // No turn needed: a rename replaces a file whole, so a read sees one version of it or the next.
  async list(collection: CompactionCollection, idPrefix: string): Promise<EmbeddingVector[]> {
    const listed: EmbeddingVector[] = [];
    for (const shard of await this.#shardsUnder(collection, idPrefix)) {
      const vectors = (await readVectorFile(this.#fileOf(collection, shard))) ?? [];
      listed.push(...vectors.filter((vector) => vector.id.startsWith(idPrefix)));
    }
    return listed.sort(byId);
  }

  /** Reads one shard, applies `change` (which returns the count to report), writes it back if it changed. */
  #update(
    collection: CompactionCollection,
    shard: string,
    change: (stored: Map<string, EmbeddingVector>) => number,
  ): Promise<number> {
    const file = this.#fileOf(collection, shard);
    return files.run(file, async () => {
      const vectors = (await readVectorFile(file)) ?? [];
      const stored = new Map(vectors.map((vector) => [vector.id, vector]));
      const count = change(stored);
      if (count > 0) await writeVectorFile(file, [...stored.values()].sort(byId));
      return count;
    });
  }

  /** The shards that may hold ids under `idPrefix`: its receipt's alone, or every shard of the collection. */
  async #shardsUnder(collection: CompactionCollection, idPrefix: string): Promise<string[]> {
    const shard = shardOfPrefix(idPrefix);
    if (shard !== undefined) return [shard];
    let names: string[];
    try {
      names = await readdir(join(this.#directory, collection));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // Temp files (`.{name}.*.tmp`) are left out: a crash may leave one behind, never a shard to read.
    return names
      .filter((name) => name.endsWith(SHARD_EXTENSION) && !name.startsWith('.'))
      .map((name) => name.slice(0, -SHARD_EXTENSION.length));
  }

  #fileOf(collection: CompactionCollection, shard: string): string {
    return join(this.#directory, collection, `${shard}${SHARD_EXTENSION}`);
  }
}

// Code-unit order, as the port promises (not locale order).
function byId(a: EmbeddingVector, b: EmbeddingVector): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
