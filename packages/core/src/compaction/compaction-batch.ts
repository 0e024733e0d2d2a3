import type { CompactionRunKey } from '../domain/compaction-run.js';
import { COMPACTION_COLLECTIONS, type CompactionCollection } from '../domain/compaction-state.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { Telemetry } from '../ports/telemetry.js';
import { applyChains, chainsOf, type RecordFailure, type Segment } from './batch-chains.js';
import { type CompactRunDeps, type CompactRunResult, compactRun } from './compact-run.js';
import type { ReceiptStatePart } from './receipt-vector-state.js';
import { collectionsOf, refreshReceiptVectors } from './refresh-receipt-vectors.js';

/** What one stream record asks of the compactor. */
export type CompactionChange =
  /** A COMPACTION_RUN INSERT: merge the run's deltas. */
  | { readonly kind: 'run'; readonly run: CompactionRunKey }
  /** A label of the receipt was added or changed: its word vectors' label fields follow. */
  | { readonly kind: 'labels' }
  /** A field the vectors carry changed in the receipt's merchant record: every vector follows. */
  | { readonly kind: 'merchant' }
  /** A run's compaction settled (both collections COMPLETED, or one FAILED): hand it to the validation. */
  | { readonly kind: 'settled'; readonly run: CompactionRunKey };

/** One record of a stream batch, as read by the handler. */
export type CompactionRecord =
  | {
      /** The stream's partition key: records sharing it are applied in batch order. */
      readonly partitionKey: string;
      readonly receipt: ReceiptRef;
      readonly change: CompactionChange;
    }
  /** A record that can never be applied (malformed, of an unknown shape): dead-lettered, then acknowledged. */
  | { readonly partitionKey: string; readonly deadLetter: string }
  /** Nothing to do (a change of fields no vector carries). */
  | { readonly partitionKey: string; readonly ignore: string }
  /** Nothing to do, and no key to order it by. */
  | undefined;

export interface CompactBatchDeps extends CompactRunDeps {
  readonly telemetry: Telemetry;
  /** Hands a settled run to the validation (asynchronously: resolves once it is handed over, not validated). */
  readonly dispatchSettled?: (run: CompactionRunKey) => Promise<void>;
  /** Records a poison record (the batch index) with the reason, where an operator finds it. */
  readonly deadLetter: (index: number, reason: string) => Promise<void>;
  /** Partition keys applied at once (default 16). */
  readonly concurrency?: number;
}

export interface CompactBatchResult {
  /** Records not applied, to be delivered again (`batchItemFailures`), sorted by index. */
  readonly failures: readonly RecordFailure[];
  /** Records written to the dead-letter store and acknowledged. */
  readonly deadLettered: readonly number[];
  /** Label and merchant records acknowledged for receipts without vectors: the next merge carries them. */
  readonly deferred: readonly number[];
}

const receiptKey = (receipt: ReceiptRef) => `${receipt.imageId}/${receipt.receiptId}`;

/**
 * The compactor's work on one stream batch. Records are grouped by receipt and coalesced: per run of
 * consecutive records of one receipt (within its partition key), one merge per run INSERT, one refresh of the
 * label fields however many label records, one refresh of the merchant fields however many merchant records
 * (skipped for a collection this segment merged: the merge read the state after every record of the batch was
 * committed). Partition keys are applied concurrently, the segments of one key in order; when a segment fails
 * (a transient error), it and every later record of its key are returned as failures and none of them is applied,
 * so a redelivery from the lowest of them applies nothing twice and skips nothing.
 *
 * A change for a receipt without vectors (its delta not merged yet, or its merge FAILED) is acknowledged and
 * counted, never retried: the next merge builds the vectors from the current state. A poison record goes to the
 * dead-letter store and is acknowledged; only if that write fails is it retried.
 */
export async function compactBatch(
  deps: CompactBatchDeps,
  records: readonly CompactionRecord[],
): Promise<CompactBatchResult> {
  const chains = chainsOf(
    records.map(
      (record) =>
        record && {
          orderKey: record.partitionKey,
          ...('change' in record && { group: receiptKey(record.receipt) }),
        },
    ),
  );
  const deadLettered: number[] = [];
  const deferred: number[] = [];
  const apply = async (segment: Segment) => {
    const first = records[segment.indexes[0] ?? -1];
    if (!first) return;
    if ('deadLetter' in first) {
      await deps.deadLetter(segment.indexes[0] ?? -1, first.deadLetter);
      deadLettered.push(...segment.indexes);
      return;
    }
    if (!('change' in first)) return;
    const changes = segment.indexes.map((index) => {
      const record = records[index];
      return {
        index,
        change: (record && 'change' in record ? record.change : undefined) as CompactionChange,
      };
    });
    // Only the receipt's key: a run record's receipt is the whole run, which the events must not carry.
    const { imageId, receiptId } = first.receipt;
    deferred.push(...(await applyReceiptChanges(deps, { imageId, receiptId }, changes)));
  };
  const failures = await applyChains(chains, apply, deps.concurrency ?? 16);
  return {
    failures,
    deadLettered: deadLettered.sort((a, b) => a - b),
    deferred: deferred.sort((a, b) => a - b),
  };
}

/** A segment's changes of one receipt, applied coalesced; returns the indexes of the changes deferred. */
async function applyReceiptChanges(
  deps: CompactBatchDeps,
  receipt: ReceiptRef,
  changes: readonly { index: number; change: CompactionChange }[],
): Promise<number[]> {
  const { telemetry } = deps;
  const runs = distinctRuns(changes.flatMap(({ change }) => (change.kind === 'run' ? [change.run] : [])));
  const merged = new Set<CompactionCollection>();
  for (const run of runs) {
    const result = await compactRun(deps, run);
    report(telemetry, run, result);
    if (result.retry) throw new CompactionRetryError(run, result);
    for (const collection of COMPACTION_COLLECTIONS) {
      if (result[collection].outcome === 'completed') merged.add(collection);
    }
  }

  const byPart = (part: 'labels' | 'merchant') => changes.filter(({ change }) => change.kind === part);
  const parts = new Set<ReceiptStatePart>();
  if (byPart('labels').length > 0) parts.add('labels');
  if (byPart('merchant').length > 0) parts.add('merchant');
  const pending = collectionsOf(parts).filter((collection) => !merged.has(collection));
  const deferred: number[] = [];
  if (pending.length > 0) {
    const found = await refreshReceiptVectors(deps, receipt, parts, pending);
    const missing = pending.filter((collection) => found[collection] === 0);
    for (const part of parts) {
      const change = part === 'merchant' ? 'metadata' : 'labels';
      const own = collectionsOf(new Set([part])).filter((collection) => pending.includes(collection));
      // This segment's merge carried the part into every collection that holds it: nothing patched, nothing to tell.
      if (own.length === 0) continue;
      const vectors = own.reduce((sum, collection) => sum + (found[collection] ?? 0), 0);
      if (own.some((collection) => missing.includes(collection))) {
        const records = byPart(part).map(({ index }) => index);
        deferred.push(...records);
        telemetry.event({
          type: 'compaction.changes_deferred',
          receipt,
          change,
          records: records.length,
          collections: own.filter((collection) => missing.includes(collection)),
        });
        telemetry.metric('CompactionChangesDeferred', records.length, 'Count');
      } else {
        telemetry.event({ type: 'compaction.snapshot_patched', receipt, change, vectors });
      }
    }
  }

  const settled = distinctRuns(
    changes.flatMap(({ change }) => (change.kind === 'settled' ? [change.run] : [])),
  );
  if (settled.length > 0) {
    const dispatch = deps.dispatchSettled;
    if (!dispatch) throw new Error('a settled run reached a compactor that dispatches no validation');
    for (const run of settled) await dispatch(run);
  }
  return deferred;
}

function distinctRuns(runs: readonly CompactionRunKey[]): CompactionRunKey[] {
  const seen = new Set<string>();
  return runs.filter((run) => {
    const id = `${run.imageId}/${run.receiptId}/${run.runId}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function report(telemetry: Telemetry, run: CompactionRunKey, result: CompactRunResult): void {
  for (const collection of COMPACTION_COLLECTIONS) {
    const outcome = result[collection];
    if (outcome.outcome === 'completed') {
      telemetry.event({
        type: 'compaction.collection_finished',
        run,
        collection,
        state: 'COMPLETED',
        mergedVectors: outcome.mergedVectors,
      });
    } else if (outcome.outcome === 'failed') {
      telemetry.event({
        type: 'compaction.collection_finished',
        run,
        collection,
        state: 'FAILED',
        error: outcome.error,
      });
    }
  }
}

/** A merge left a collection PROCESSING after a transient error: the run's record must be delivered again. */
export class CompactionRetryError extends Error {
  override readonly name = 'CompactionRetryError';

  constructor(
    readonly run: CompactionRunKey,
    readonly result: CompactRunResult,
  ) {
    const errors = COMPACTION_COLLECTIONS.flatMap((collection) => {
      const outcome = result[collection];
      return outcome.outcome === 'retry' ? [`${collection}: ${outcome.error}`] : [];
    });
    super(
      `compaction of ${run.imageId}/${run.receiptId}/${run.runId} left unfinished (${errors.join('; ')})`,
    );
  }
}
