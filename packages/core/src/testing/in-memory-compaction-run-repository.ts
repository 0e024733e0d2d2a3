import {
  type CompactionRun,
  type CompactionRunKey,
  formatRunKey,
  stateOf,
} from '../domain/compaction-run.js';
import { type CompactionCollection, statesBefore } from '../domain/compaction-state.js';
import { withoutUndefined } from '../domain/optional.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import { CompactionRunExistsError } from '../errors/compaction-run-exists-error.js';
import type { Clock } from '../ports/clock.js';
import type {
  CollectionTransition,
  CompactionRunRepository,
  ReadOptions,
  TransitionResult,
} from '../ports/compaction-run-repository.js';
import { FaultInjector } from './fault-injector.js';

export interface InMemoryCompactionRunRepositoryOptions {
  /** With a clock, each read takes `readLatencyMs` of its time (a number, or drawn per read). */
  readonly clock?: Clock;
  readonly readLatencyMs?: number | (() => number);
}

/**
 * CompactionRunRepository in memory, with the DynamoDB adapter's semantics: per-collection conditional
 * transitions, COMPLETED final, idempotent creation. Counts reads (with their times) and injects faults.
 */
export class InMemoryCompactionRunRepository implements CompactionRunRepository {
  readonly readFaults = new FaultInjector();
  /** Clock time of every read started, in order (empty without a clock). */
  readonly readTimes: number[] = [];
  #reads = 0;
  readonly #runs = new Map<string, CompactionRun>();
  readonly #options: InMemoryCompactionRunRepositoryOptions;

  constructor(options: InMemoryCompactionRunRepositoryOptions = {}) {
    this.#options = options;
  }

  /** Reads started so far, failed ones included. */
  get reads(): number {
    return this.#reads;
  }

  async getCompactionRun(
    key: CompactionRunKey,
    options: ReadOptions = {},
  ): Promise<CompactionRun | undefined> {
    const { signal } = options;
    if (signal?.aborted) throw signal.reason;
    this.#reads++;
    const { clock, readLatencyMs } = this.#options;
    if (clock) this.readTimes.push(clock.now());
    await this.readFaults.apply('getCompactionRun', signal);
    const latency = typeof readLatencyMs === 'function' ? readLatencyMs() : (readLatencyMs ?? 0);
    if (clock && latency > 0) await clock.sleep(latency, signal);
    const run = this.#runs.get(formatRunKey(key));
    return run && { ...run };
  }

  /** The stored run without counting a read or injecting a fault (for other fakes and assertions). */
  peek(key: CompactionRunKey): CompactionRun | undefined {
    const run = this.#runs.get(formatRunKey(key));
    return run && { ...run };
  }

  /** Every run of one receipt, by key (for InMemoryReceiptVersionStore). */
  runsOf(receipt: ReceiptRef): CompactionRun[] {
    return [...this.#runs.values()]
      .filter((run) => run.imageId === receipt.imageId && run.receiptId === receipt.receiptId)
      .sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0))
      .map((run) => ({ ...run }));
  }

  /** Removes a run, if any (for InMemoryReceiptVersionStore, which replaces a run or undoes its creation). */
  remove(key: CompactionRunKey): void {
    this.#runs.delete(formatRunKey(key));
  }

  async createCompactionRun(run: CompactionRun): Promise<void> {
    const id = formatRunKey(run);
    const existing = this.#runs.get(id);
    // The same run as originally created (a retried upload) is harmless, even after its collections moved on.
    const sameRun =
      existing?.linesDeltaPrefix === run.linesDeltaPrefix &&
      existing.wordsDeltaPrefix === run.wordsDeltaPrefix &&
      existing.createdAt === run.createdAt;
    if (existing && !sameRun) throw new CompactionRunExistsError(run);
    if (!existing) this.#runs.set(id, { ...run });
  }

  async transitionCollection(
    key: CompactionRunKey,
    collection: CompactionCollection,
    transition: CollectionTransition,
  ): Promise<TransitionResult> {
    const id = formatRunKey(key);
    const run = this.#runs.get(id);
    if (!run) return { applied: false, current: undefined };
    const current = stateOf(run, collection);
    if (!statesBefore(transition.to).includes(current)) return { applied: false, current };
    const updated = withoutUndefined({
      ...run,
      ...fieldsOf(collection, transition),
      updatedAt: transition.at,
    });
    this.#runs.set(id, updated);
    return { applied: true, run: { ...updated } };
  }
}

function fieldsOf(
  collection: CompactionCollection,
  transition: CollectionTransition,
): Partial<CompactionRun> {
  const state = `${collection}State`;
  switch (transition.to) {
    case 'PROCESSING':
      // A retry starts afresh: the previous attempt's end and error no longer describe the collection.
      return {
        [state]: 'PROCESSING',
        [`${collection}StartedAt`]: transition.at,
        [`${collection}FinishedAt`]: undefined,
        [`${collection}Error`]: undefined,
      };
    case 'COMPLETED':
      return {
        [state]: 'COMPLETED',
        [`${collection}FinishedAt`]: transition.at,
        [`${collection}MergedVectors`]: transition.mergedVectors,
      };
    case 'FAILED':
      return {
        [state]: 'FAILED',
        [`${collection}FinishedAt`]: transition.at,
        [`${collection}Error`]: transition.error,
      };
  }
}
