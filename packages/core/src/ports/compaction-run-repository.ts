import type { CompactionRun, CompactionRunKey } from '../domain/compaction-run.js';
import type { CompactionCollection, CompactionState } from '../domain/compaction-state.js';

export type * from './abort-signal.js';

export interface ReadOptions {
  /** Aborts the read; the promise then rejects. */
  readonly signal?: AbortSignal;
}

/** A per-collection state change, made only if the collection is in a state that allows it. */
export type CollectionTransition =
  | { readonly to: 'PROCESSING'; readonly at: string }
  | { readonly to: 'COMPLETED'; readonly at: string; readonly mergedVectors: number }
  | { readonly to: 'FAILED'; readonly at: string; readonly error: string };

export type TransitionResult =
  | { readonly applied: true; readonly run: CompactionRun }
  /** The run is missing (`current` undefined) or its collection was not in a state the transition allows. */
  | { readonly applied: false; readonly current: CompactionState | undefined };

export interface CompactionRunRepository {
  /** Strongly consistent read; undefined when the run does not exist. Transient failures throw TransientStoreError. */
  getCompactionRun(key: CompactionRunKey, options?: ReadOptions): Promise<CompactionRun | undefined>;
  /** Creates the run; writing the same run again is harmless, a different run under the same key is refused. */
  createCompactionRun(run: CompactionRun): Promise<void>;
  /**
   * Moves one collection along the state machine, conditionally on that collection's current state only, so a
   * transition of one collection never overwrites the other and COMPLETED is never overwritten.
   */
  transitionCollection(
    key: CompactionRunKey,
    collection: CompactionCollection,
    transition: CollectionTransition,
  ): Promise<TransitionResult>;
}
