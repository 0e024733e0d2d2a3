import type { CompactionCollection } from '../domain/compaction-state.js';

export type VectorMetadataValue = string | number | boolean;

/** One embedding in a snapshot or delta; ids follow data-model.md (`IMAGE#..#RECEIPT#..#LINE#..[#WORD#..]`). */
export interface EmbeddingVector {
  readonly id: string;
  readonly values: readonly number[];
  readonly metadata: Readonly<Record<string, VectorMetadataValue>>;
}

/** Where the upload puts a receipt's embedding deltas until the compactor merges them. */
export interface EmbeddingDeltaStore {
  /** Writes one collection's delta under `prefix`, whole (a reader sees all of it or nothing). */
  putDelta(prefix: string, vectors: readonly EmbeddingVector[]): Promise<void>;
  /** The delta under `prefix`, or undefined when there is none. */
  getDelta(prefix: string): Promise<EmbeddingVector[] | undefined>;
}

/** The shared snapshots (one per collection) that compaction merges deltas into. */
export interface EmbeddingSnapshotStore {
  /** Inserts or replaces the vectors by id, atomically; returns how many were merged. */
  merge(collection: CompactionCollection, vectors: readonly EmbeddingVector[]): Promise<number>;
  /**
   * Sets `fields` in the metadata of every vector whose id starts with `idPrefix`; returns how many vectors were
   * patched. 0 means those vectors are not in the snapshot (yet): the caller must retry, never drop the update.
   */
  patch(
    collection: CompactionCollection,
    idPrefix: string,
    fields: Readonly<Record<string, VectorMetadataValue>>,
  ): Promise<number>;
  /** The vectors whose id starts with `idPrefix`, ordered by id. */
  list(collection: CompactionCollection, idPrefix: string): Promise<EmbeddingVector[]>;
}

/** Turns texts into vectors of `dimensions` numbers. */
export interface Embedder {
  readonly name: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<number[][]>;
}
