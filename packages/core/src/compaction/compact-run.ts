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
import {
  type ReceiptStateSource,
  type ReceiptVectorState,
  readReceiptVectorState,
  sameVectorState,
  stateFields,
} from './receipt-vector-state.js';
import { refreshReceiptVectors } from './refresh-receipt-vectors.js';
import { receiptVectorPrefix } from './vector-ids.js';

export interface CompactRunDeps extends ReceiptStateSource {
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

type Prepared =
  | { readonly collection: CompactionCollection; readonly result: CollectionCompactionResult }
  | { readonly collection: CompactionCollection; readonly delta: readonly EmbeddingVector[] };

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The compactor for a COMPACTION_RUN INSERT: merges each collection's delta into its snapshot, moving the
 * collection PENDING/FAILED -> PROCESSING -> COMPLETED | FAILED with conditional transitions of that collection
 * only. The two collections run concurrently.
 *
 * Each vector is built from its delta **and the table's current state**: the receipt's merchant record and word
 * labels, read strongly consistent at merge time, replace what the delta carried from the upload. So a label or
 * merchant change that reached the compactor before the merge (and was acknowledged, finding no vector) is in the
 * merged vectors. After the merge the state is read once more: a change committed between the first read and the
 * merge's write (its record may have found no vector yet either) is then set by a refresh, before COMPLETED.
 *
 * Redelivery is harmless: a COMPLETED collection is left alone, and a collection left PROCESSING by a crashed
 * attempt is merged again, from the state as it is then. Errors of the run repository propagate (after both
 * collections settle), so the record is retried.
 */
export async function compactRun(deps: CompactRunDeps, key: CompactionRunKey): Promise<CompactRunResult> {
  const run = await deps.runs.getCompactionRun(key);
  if (run === undefined) {
    return { lines: { outcome: 'run_missing' }, words: { outcome: 'run_missing' }, retry: false };
  }
  const prepared = settleAll(
    await Promise.allSettled(COMPACTION_COLLECTIONS.map((collection) => prepare(deps, run, collection))),
  );
  const results = new Map<CompactionCollection, CollectionCompactionResult>();
  const ready: { collection: CompactionCollection; delta: readonly EmbeddingVector[] }[] = [];
  for (const entry of prepared) {
    if ('result' in entry) results.set(entry.collection, entry.result);
    else ready.push(entry);
  }
  if (ready.length > 0) {
    for (const [collection, result] of await mergeFromState(deps, run, ready))
      results.set(collection, result);
  }
  const lines = results.get('lines') ?? { outcome: 'run_missing' };
  const words = results.get('words') ?? { outcome: 'run_missing' };
  return { lines, words, retry: [lines, words].some(({ outcome }) => outcome === 'retry') };
}

/** Rethrows the first rejection once every promise has settled; otherwise the values. */
function settleAll<T>(settled: readonly PromiseSettledResult<T>[]): T[] {
  return settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}

/** Moves the collection to PROCESSING and loads its delta; or says why there is nothing to merge. */
async function prepare(
  deps: CompactRunDeps,
  run: CompactionRun,
  collection: CompactionCollection,
): Promise<Prepared> {
  const key = keyOf(run);
  const started = await deps.runs.transitionCollection(key, collection, { to: 'PROCESSING', at: now(deps) });
  if (!started.applied) {
    if (started.current === undefined) return { collection, result: { outcome: 'run_missing' } };
    if (started.current === 'COMPLETED') return { collection, result: { outcome: 'already_completed' } };
    // PROCESSING: an earlier attempt crashed between merge and COMPLETED (or is still running): merge again.
  }
  try {
    return { collection, delta: await loadDelta(deps, run, collection) };
  } catch (error) {
    if (error instanceof TransientStoreError) {
      return { collection, result: { outcome: 'retry', error: errorText(error) } };
    }
    return { collection, result: await fail(deps, key, collection, errorText(error)) };
  }
}

async function loadDelta(
  deps: CompactRunDeps,
  run: CompactionRun,
  collection: CompactionCollection,
): Promise<EmbeddingVector[]> {
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
  return delta;
}

/**
 * Merges the ready collections from the state read now, checks the state again once they are written (setting it
 * by a refresh if it changed meanwhile), and marks each COMPLETED, or FAILED on a permanent merge error.
 */
async function mergeFromState(
  deps: CompactRunDeps,
  run: CompactionRun,
  ready: readonly { collection: CompactionCollection; delta: readonly EmbeddingVector[] }[],
): Promise<Map<CompactionCollection, CollectionCompactionResult>> {
  const key = keyOf(run);
  const results = new Map<CompactionCollection, CollectionCompactionResult>();
  const retryAll = (error: unknown) => {
    for (const { collection } of ready)
      results.set(collection, { outcome: 'retry', error: errorText(error) });
    return results;
  };
  const delayMs = deps.mergeDelayMs ?? 0;
  if (delayMs > 0) await deps.clock.sleep(delayMs);
  let state: ReceiptVectorState;
  try {
    state = await readReceiptVectorState(deps, run);
  } catch (error) {
    // The table could not be read: nothing about the delta is wrong, so the collections stay PROCESSING.
    return retryAll(error);
  }
  const merged = await Promise.allSettled(
    ready.map(({ collection, delta }) =>
      deps.snapshots.merge(collection, fromState(delta, state, collection)),
    ),
  );
  const written: { collection: CompactionCollection; mergedVectors: number }[] = [];
  await Promise.all(
    merged.map(async (result, i) => {
      const { collection } = ready[i] as (typeof ready)[number];
      if (result.status === 'fulfilled') written.push({ collection, mergedVectors: result.value });
      else if (result.reason instanceof TransientStoreError) {
        results.set(collection, { outcome: 'retry', error: errorText(result.reason) });
      } else results.set(collection, await fail(deps, key, collection, errorText(result.reason)));
    }),
  );
  if (written.length === 0) return results;
  try {
    const after = await readReceiptVectorState(deps, run);
    if (!sameVectorState(state, after)) {
      await refreshReceiptVectors(
        deps,
        run,
        new Set(['merchant', 'labels']),
        written.map(({ collection }) => collection),
      );
    }
  } catch (error) {
    for (const { collection } of written) {
      results.set(collection, { outcome: 'retry', error: errorText(error) });
    }
    return results;
  }
  const completed = settleAll(
    await Promise.allSettled(
      written.map(async ({ collection, mergedVectors }) => {
        const done = await deps.runs.transitionCollection(key, collection, {
          to: 'COMPLETED',
          at: now(deps),
          mergedVectors,
        });
        const result: CollectionCompactionResult = done.applied
          ? { outcome: 'completed', mergedVectors }
          : done.current === undefined
            ? { outcome: 'run_missing' }
            : done.current === 'COMPLETED'
              ? { outcome: 'already_completed' }
              : { outcome: 'retry', error: `could not mark COMPLETED: the collection is ${done.current}` };
        return [collection, result] as const;
      }),
    ),
  );
  for (const [collection, result] of completed) results.set(collection, result);
  return results;
}

/** The delta's vectors with the merchant and label fields of the state in place of the upload's. */
function fromState(
  delta: readonly EmbeddingVector[],
  state: ReceiptVectorState,
  collection: CompactionCollection,
): EmbeddingVector[] {
  return delta.map((vector) => ({
    ...vector,
    metadata: { ...vector.metadata, ...stateFields(state, vector.id, collection === 'words') },
  }));
}

async function fail(
  deps: CompactRunDeps,
  key: CompactionRunKey,
  collection: CompactionCollection,
  error: string,
): Promise<CollectionCompactionResult> {
  const failed = await deps.runs.transitionCollection(key, collection, {
    to: 'FAILED',
    at: now(deps),
    error,
  });
  if (!failed.applied && failed.current === undefined) return { outcome: 'run_missing' };
  if (!failed.applied && failed.current === 'COMPLETED') return { outcome: 'already_completed' };
  return { outcome: 'failed', error };
}

const keyOf = (run: CompactionRun): CompactionRunKey => ({
  imageId: run.imageId,
  receiptId: run.receiptId,
  runId: run.runId,
});

const now = (deps: CompactRunDeps) => toTimestamp(deps.clock.now());
