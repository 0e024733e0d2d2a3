import type { CompactionCollection } from '../domain/compaction-state.js';

/** A metadata value: vector stores carry strings, numbers, booleans and lists of strings (label lists). */
export type VectorMetadataValue = string | number | boolean | readonly string[];

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

/** Some metadata fields of a vector and their values. */
export type VectorFields = Readonly<Record<string, VectorMetadataValue>>;

/** Sets `fields` in the metadata of every vector whose id starts with `idPrefix`. */
export interface SnapshotPatch {
  readonly idPrefix: string;
  readonly fields: VectorFields;
}

/**
 * Computes, from state kept outside the store (read after the vectors were), the fields to set on each of the
 * given vectors, by id. Ids it leaves out keep their fields.
 */
export type FieldsOf = (vectors: readonly EmbeddingVector[]) => Promise<ReadonlyMap<string, VectorFields>>;

/**
 * The shared snapshots (one per collection) that compaction merges deltas into. A snapshot has one dimension:
 * a vector of any other length is refused with InvalidValueError, never padded or cut. A store may keep values
 * at float32 precision, so a value read back equals what was written or its float32 rounding (`Math.fround`).
 */
export interface EmbeddingSnapshotStore {
  /** Inserts or replaces the vectors by id, atomically; returns how many were merged. */
  merge(collection: CompactionCollection, vectors: readonly EmbeddingVector[]): Promise<number>;
  /**
   * Applies the patches in order, all or none, as one write; returns how many vectors each patched. 0 means
   * that patch's vectors are not in the snapshot (yet): the caller must retry it, never drop the update.
   */
  patch(collection: CompactionCollection, patches: readonly SnapshotPatch[]): Promise<number[]>;
  /**
   * Sets on the vectors under `idPrefix` the fields `fieldsOf` computes from them, as a compare-and-set: the
   * vectors are read, then `fieldsOf` is called (so whatever it reads is at least as recent as the vectors), and
   * the fields are written only if no other write touched those vectors (or added one under the prefix)
   * meanwhile; otherwise all of it runs again, `fieldsOf` included. A vector whose fields already hold the values
   * is not written. Returns how many vectors are under the prefix: 0 means none yet, and `fieldsOf` is not called.
   * Two refreshes racing each other therefore never leave the older state behind.
   */
  refresh(collection: CompactionCollection, idPrefix: string, fieldsOf: FieldsOf): Promise<number>;
  /** The vectors whose id starts with `idPrefix`, ordered by id. */
  list(collection: CompactionCollection, idPrefix: string): Promise<EmbeddingVector[]>;
}

/** Turns texts into vectors of `dimensions` numbers. */
export interface Embedder {
  readonly name: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<number[][]>;
}
