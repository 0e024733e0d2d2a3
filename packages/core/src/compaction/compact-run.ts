import type { CompactionRun, CompactionRunKey } from '../domain/compaction-run.js';
import { COMPACTION_COLLECTIONS, type CompactionCollection } from '../domain/compaction-state.js';
import { toTimestamp } from '../domain/timestamps.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import type { Clock } from '../ports/clock.js';
import type { CompactionRunRepository } from '../ports/compaction-run-repository.js';
import type {
  EmbeddingDeltaStore,
  EmbeddingSnapshotStore,
  EmbeddingVector,
} from '../ports/embedding-store.js';
import { LABEL_VECTOR_FIELDS } from './label-vector-fields.js';
import { METADATA_VECTOR_FIELDS } from './metadata-vector-fields.js';
import { receiptVectorPrefix } from './vector-ids.js';

export interface CompactRunDeps {
  readonly runs: CompactionRunRepository;
  readonly deltas: EmbeddingDeltaStore;
  readonly snapshots: EmbeddingSnapshotStore;
  readonly clock: Clock;
  /** Waited on the clock before each merge, a stand-in for production merge time (default 0). */
  readonly mergeDelayMs?: number;
}

/** What one attempt did to one collection. */
export type CollectionCompactionResult =
  /** This attempt merged the delta and marked the collection COMPLETED. */
  | { readonly outcome: 'completed'; readonly mergedVectors: number }
  /** The collection was (or meanwhile became) COMPLETED by another attempt: nothing to do. */
  | { readonly outcome: 'already_completed' }
  /** Marked FAILED with `error` (no delta, a foreign vector, a permanent store error). */
  | { readonly outcome: 'failed'; readonly error: string }
  /** A transient error left the collection PROCESSING; a later attempt carries on. */
  | { readonly outcome: 'retry'; readonly error: string }
  /** The run does not exist (any more): there is nothing to compact. */
  | { readonly outcome: 'run_missing' };

export interface CompactRunResult {
  readonly lines: CollectionCompactionResult;
  readonly words: CollectionCompactionResult;
  /**
   * A collection was left PROCESSING by a transient error: report the stream record failed so it is delivered
   * again. A FAILED collection is final for this record (its failure is permanent, and retrying it would block
   * the shard); the gate reports it at once.
   */
  readonly retry: boolean;
}

/**
 * The compactor for a COMPACTION_RUN INSERT: merges each collection's delta into its snapshot, moving the
 * collection PENDING/FAILED -> PROCESSING -> COMPLETED | FAILED with conditional transitions of that collection
 * only. The two collections run concurrently. Redelivery is harmless: a COMPLETED collection is left alone, and
 * a collection left PROCESSING by a crashed attempt is merged again, keeping what patches set meanwhile.
 * Errors of the run repository propagate (after both collections settle), so the record is retried.
 */
export async function compactRun(deps: CompactRunDeps, key: CompactionRunKey): Promise<CompactRunResult> {
  const run = await deps.runs.getCompactionRun(key);
  if (run === undefined) {
    return { lines: { outcome: 'run_missing' }, words: { outcome: 'run_missing' }, retry: false };
  }
  const settled = await Promise.allSettled(
    COMPACTION_COLLECTIONS.map((collection) => compactCollection(deps, run, collection)),
  );
  const [lines, words] = settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  }) as [CollectionCompactionResult, CollectionCompactionResult];
  const retry = [lines, words].some(({ outcome }) => outcome === 'retry');
  return { lines, words, retry };
}

async function compactCollection(
  deps: CompactRunDeps,
  run: CompactionRun,
  collection: CompactionCollection,
): Promise<CollectionCompactionResult> {
  const key = { imageId: run.imageId, receiptId: run.receiptId, runId: run.runId };
  const at = () => toTimestamp(deps.clock.now());
  const started = await deps.runs.transitionCollection(key, collection, { to: 'PROCESSING', at: at() });
  if (!started.applied) {
    if (started.current === undefined) return { outcome: 'run_missing' };
    if (started.current === 'COMPLETED') return { outcome: 'already_completed' };
    // PROCESSING: an earlier attempt crashed between merge and COMPLETED (or is still running): merge again.
  }
  let mergedVectors: number;
  try {
    mergedVectors = await mergeDelta(deps, run, collection);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (error instanceof TransientStoreError) return { outcome: 'retry', error: text };
    return fail(deps, key, collection, text, at());
  }
  const done = await deps.runs.transitionCollection(key, collection, {
    to: 'COMPLETED',
    at: at(),
    mergedVectors,
  });
  if (done.applied) return { outcome: 'completed', mergedVectors };
  if (done.current === undefined) return { outcome: 'run_missing' };
  if (done.current === 'COMPLETED') return { outcome: 'already_completed' };
  return { outcome: 'retry', error: `could not mark COMPLETED: the collection is ${done.current}` };
}

async function fail(
  deps: CompactRunDeps,
  key: CompactionRunKey,
  collection: CompactionCollection,
  error: string,
  at: string,
): Promise<CollectionCompactionResult> {
  const failed = await deps.runs.transitionCollection(key, collection, { to: 'FAILED', at, error });
  if (!failed.applied && failed.current === undefined) return { outcome: 'run_missing' };
  if (!failed.applied && failed.current === 'COMPLETED') return { outcome: 'already_completed' };
  return { outcome: 'failed', error };
}

async function mergeDelta(
  deps: CompactRunDeps,
  run: CompactionRun,
  collection: CompactionCollection,
): Promise<number> {
  const prefix = collection === 'lines' ? run.linesDeltaPrefix : run.wordsDeltaPrefix;
  const delta = await deps.deltas.getDelta(prefix);
  if (delta === undefined) throw new Error(`no ${collection} delta under "${prefix}"`);
  const receiptPrefix = receiptVectorPrefix(run);
  // Merging a vector of another receipt would overwrite that receipt's vector.
  const foreign = delta.find((vector) => !vector.id.startsWith(receiptPrefix));
  if (foreign) {
    throw new Error(
      `the ${collection} delta under "${prefix}" holds "${foreign.id}", not a vector of ${receiptPrefix}`,
    );
  }
  const delayMs = deps.mergeDelayMs ?? 0;
  if (delayMs > 0) await deps.clock.sleep(delayMs);
  const existing = await deps.snapshots.list(collection, receiptPrefix);
  return deps.snapshots.merge(collection, keepPatchedFields(delta, existing));
}

const PATCHED_FIELDS: readonly string[] = [...METADATA_VECTOR_FIELDS, ...LABEL_VECTOR_FIELDS];

/**
 * A vector already in the snapshot keeps its metadata and label fields. A patch may have set them since the
 * delta was built, and its stream record is not necessarily delivered again (it can precede the run's INSERT in
 * the stream), so a merge repeated after a crash must not undo it. A value the delta knows better still reaches
 * the vector, through the record of the change that made it.
 */
function keepPatchedFields(
  delta: readonly EmbeddingVector[],
  existing: readonly EmbeddingVector[],
): EmbeddingVector[] {
  const current = new Map(existing.map((vector) => [vector.id, vector.metadata]));
  return delta.map((vector) => {
    const metadata = current.get(vector.id);
    if (metadata === undefined) return vector;
    const kept = PATCHED_FIELDS.filter((field) => Object.hasOwn(metadata, field)).map((field) => [
      field,
      metadata[field],
    ]);
    return { ...vector, metadata: { ...vector.metadata, ...Object.fromEntries(kept) } };
  });
}
