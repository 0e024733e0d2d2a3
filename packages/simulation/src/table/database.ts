import {
  type Clock,
  type CompactionRunKey,
  type MerchantRecord,
  type ReceiptRef,
  type ReceiptVersionLease,
  type ReceiptWordLabel,
  wordLabelId,
} from '@receipt-gate/core';
import {
  InMemoryCompactionRunRepository,
  InMemoryEmbeddingDeltaStore,
  InMemoryEmbeddingSnapshotStore,
  InMemoryLabelRepository,
  InMemoryMerchantRecordRepository,
  InMemoryReceiptRepository,
  InMemoryReceiptVersionStore,
} from '@receipt-gate/core/testing';
import { toCompactionRunItem, toWordLabelItem } from '@receipt-gate/lambda';
import type { LeaseToken } from '../pipeline/sim-receipt-version-store.js';
import { receiptKey, receiptsNamed, UnroutableCallError } from './receipt-of.js';
import type { Item, TableStream } from './table-stream.js';

/**
 * The stores of the pipeline, named as the simulation reports them. `validations` is the validation function's
 * asynchronous invocation (Lambda's Invoke API): a side effect of the dispatcher, faulted and crashed like a write.
 */
export const STORES = [
  'runs',
  'labels',
  'receipts',
  'merchant',
  'deltas',
  'snapshots',
  'validations',
  'versions',
] as const;
export type StoreName = (typeof STORES)[number];

/** Methods that only read; every other method of a store counts as a write (faults, crash points, locking). */
export const READ_METHODS: Readonly<Record<StoreName, readonly string[]>> = {
  runs: ['getCompactionRun'],
  labels: ['getLabels', 'getWordLabels'],
  receipts: ['getReceiptContent'],
  merchant: ['getMerchantRecord'],
  deltas: ['getDelta'],
  snapshots: ['list'],
  validations: [],
  versions: ['read'],
};

/** Stores whose items are in the table, and so in its stream (lines and words are left out: no mapping reads them). */
const STREAMED: ReadonlySet<StoreName> = new Set(['runs', 'labels', 'merchant']);

/** Who made a write: a handler invocation (by id), or someone outside the pipeline. */
export type Writer =
  | { readonly kind: 'invocation'; readonly id: number; readonly fn: string }
  | { readonly kind: 'person' | 'service' };

/** A label that changed, as the table saw it. */
export interface LabelChange {
  readonly before: ReceiptWordLabel | undefined;
  readonly after: ReceiptWordLabel | undefined;
}

/** What the invariant monitor hears from the database. */
export interface DatabaseObserver {
  /** After every write that changed labels, inside the write's lock. */
  labelsChanged(writer: Writer, receipt: ReceiptRef, changes: readonly LabelChange[]): void;
  /** After a guarded label write that took effect: the run must be COMPLETED (COMPLETED is final). */
  guardedWriteApplied(writer: Writer, key: CompactionRunKey, completed: boolean): void;
}

/** How long a lease holds before another upload may take it over (the DynamoDB adapter's default). */
const LEASE_MS = 60_000;
/** How often an upload waiting for a lease looks again. */
const LEASE_POLL_MS = 100;

/** The label store class (a mutant may replace it). */
export type LabelRepositoryClass = typeof InMemoryLabelRepository;

/** One receipt's items: the core fakes, holding only this receipt's data. */
class Partition {
  readonly runs = new InMemoryCompactionRunRepository();
  readonly labels: InMemoryLabelRepository;
  readonly receipts = new InMemoryReceiptRepository();
  readonly merchant = new InMemoryMerchantRecordRepository();
  readonly deltas = new InMemoryEmbeddingDeltaStore();
  readonly snapshots = new InMemoryEmbeddingSnapshotStore();
  /** The upload's store of whole receipt versions, over this receipt's fakes (its lease included). */
  readonly versions: InMemoryReceiptVersionStore;
  readonly runKeys = new Map<string, CompactionRunKey>();
  readonly deltaPrefixes = new Set<string>();
  /** The item images the stream has reported, by item key. */
  readonly images = new Map<string, { readonly json: string; readonly item: Item }>();
  /** The labels as last seen, by label id. */
  labelsSeen = new Map<string, ReceiptWordLabel>();
  #lock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly receipt: ReceiptRef,
    labelClass: LabelRepositoryClass,
    clock: Clock,
  ) {
    this.labels = new labelClass({ runs: this.runs });
    this.versions = new InMemoryReceiptVersionStore({
      receipts: this.receipts,
      labels: this.labels,
      metadata: this.merchant,
      runs: this.runs,
      clock,
      pollMs: LEASE_POLL_MS,
      leaseMs: LEASE_MS,
    });
  }

  /** Runs `work` after every write already queued on this receipt's items. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#lock.then(work);
    this.#lock = result.catch(() => {});
    return result;
  }
}

export interface DatabaseOptions {
  readonly stream: TableStream;
  /** The run's clock: an upload waiting for a receipt's lease waits on it. */
  readonly clock: Clock;
  /** The merchant record item codec the handlers use (RECEIPT_PLACE or RECEIPT_METADATA). */
  readonly merchantToItem: (record: MerchantRecord) => Item;
  readonly observer: DatabaseObserver;
  readonly labelClass?: LabelRepositoryClass;
  /** Whether the delta put under `prefix` for `receipt` is lost (acknowledged, never stored). */
  readonly loses?: (receipt: ReceiptRef, prefix: string) => boolean;
  /** Accepts an asynchronous invocation of the validation for a settled run (`event` mode). */
  readonly dispatchValidation?: (run: CompactionRunKey) => void;
}

/**
 * The table, the delta bucket and the snapshots of one simulated system, on core's in-memory fakes. Each receipt's
 * items live in fakes of their own (every pipeline call concerns one receipt, so this is invisible to the code
 * and keeps each call's cost independent of the run's size). Writes to table items are serialised per receipt and
 * followed by their stream records, computed by comparing the items before and after, so the stream is exactly
 * what DynamoDB would report, whatever the write method.
 */
export class Database {
  readonly #partitions = new Map<string, Partition>();
  readonly #deltaOwners = new Map<string, ReceiptRef>();
  readonly #options: DatabaseOptions;
  readonly #labelClass: LabelRepositoryClass;
  readonly #orphan: Partition;
  /** The leases uploads took, by the id their calls carry (calls cross the simulated process as plain data). */
  readonly #leases = new Map<number, ReceiptVersionLease>();
  #lastLease = 0;

  constructor(options: DatabaseOptions) {
    this.#options = options;
    this.#labelClass = options.labelClass ?? InMemoryLabelRepository;
    this.#orphan = new Partition(
      { imageId: '00000000-0000-4000-8000-000000000000', receiptId: 1 },
      this.#labelClass,
      options.clock,
    );
  }

  /** The receipt a call concerns; throws UnroutableCallError for a call naming none or several. */
  receiptOfCall(store: StoreName, method: string, args: readonly unknown[]): ReceiptRef | undefined {
    const named = receiptsNamed(args);
    if (named.size > 1) {
      throw new UnroutableCallError(
        `${store}.${method} names ${named.size} receipts; the simulation keeps receipts apart (split the call)`,
      );
    }
    const [receipt] = named.values();
    if (receipt) return receipt;
    if (store === 'deltas' && typeof args[0] === 'string') return this.#deltaOwners.get(args[0]);
    throw new UnroutableCallError(`${store}.${method} names no receipt`);
  }

  /** One call of a port method, routed to its receipt's items; table writes also report their stream records. */
  async call(writer: Writer, store: StoreName, method: string, args: unknown[]): Promise<unknown> {
    const receipt = this.receiptOfCall(store, method, args);
    if (store === 'validations') {
      const dispatch = this.#options.dispatchValidation;
      if (method !== 'dispatch' || !dispatch)
        throw new TypeError(`the validations store has no method ${method}`);
      dispatch(args[0] as CompactionRunKey);
      return undefined;
    }
    const partition = receipt ? this.#partition(receipt) : this.#orphan;
    if (store === 'versions') return this.#versionCall(partition, writer, method, args);
    const target = partition[store] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const fn = target[method];
    if (typeof fn !== 'function') throw new TypeError(`the ${store} store has no method ${method}`);
    if (store === 'deltas' && method === 'putDelta' && receipt) {
      const prefix = String(args[0]);
      this.#deltaOwners.set(prefix, receipt);
      partition.deltaPrefixes.add(prefix);
      if (this.#options.loses?.(receipt, prefix)) return undefined;
    }
    const write = !READ_METHODS[store].includes(method);
    if (!write || !STREAMED.has(store)) return fn.apply(target, args);
    for (const arg of args) rememberRunKey(partition, arg);
    return partition.exclusive(async () => {
      const result = await fn.apply(target, args);
      await this.#report(partition, store, writer);
      if (store === 'labels') await this.#checkGuard(partition, writer, args);
      return result;
    });
  }

  /**
   * A person decides a label: `decide` gets the label as stored now (if any) and returns it as decided, which is
   * stored whole (created, or replacing what is there), as the labelling tool does.
   */
  decideLabel(
    receipt: ReceiptRef,
    id: { readonly lineId: number; readonly wordId: number; readonly label: string },
    decide: (existing: ReceiptWordLabel | undefined) => ReceiptWordLabel,
  ): Promise<ReceiptWordLabel> {
    const partition = this.#partition(receipt);
    return partition.exclusive(async () => {
      const labels = await partition.labels.getWordLabels({
        ...receipt,
        lineId: id.lineId,
        wordId: id.wordId,
      });
      const decided = decide(labels.find((label) => label.label === id.label));
      partition.labels.put(decided);
      await this.#report(partition, 'labels', { kind: 'person' });
      return decided;
    });
  }

  /** Another service rewrites the receipt's merchant record (it must exist). */
  changeMerchantRecord(
    receipt: ReceiptRef,
    change: (record: MerchantRecord) => MerchantRecord,
  ): Promise<boolean> {
    const partition = this.#partition(receipt);
    return partition.exclusive(async () => {
      const record = await partition.merchant.getMerchantRecord(receipt);
      if (!record) return false;
      partition.merchant.put(change(record));
      await this.#report(partition, 'merchant', { kind: 'service' });
      return true;
    });
  }

  /** The fakes holding one receipt's items, for the final checks (no fault, no stream record). */
  peek(receipt: ReceiptRef): Pick<Partition, 'runs' | 'labels' | 'merchant' | 'deltas' | 'snapshots'> & {
    readonly runKeys: readonly CompactionRunKey[];
  } {
    const partition = this.#partition(receipt);
    return {
      runs: partition.runs,
      labels: partition.labels,
      merchant: partition.merchant,
      deltas: partition.deltas,
      snapshots: partition.snapshots,
      runKeys: [...partition.runKeys.values()],
    };
  }

  /** Forgets a receipt's items once it is checked for good (a run of thousands of receipts keeps only live ones). */
  drop(receipt: ReceiptRef): void {
    const partition = this.#partitions.get(receiptKey(receipt));
    if (!partition) return;
    this.#partitions.delete(receiptKey(receipt));
    for (const prefix of partition.deltaPrefixes) this.#deltaOwners.delete(prefix);
  }

  #partition(receipt: ReceiptRef): Partition {
    const key = receiptKey(receipt);
    let partition = this.#partitions.get(key);
    if (!partition) {
      partition = new Partition(
        { imageId: receipt.imageId, receiptId: receipt.receiptId },
        this.#labelClass,
        this.#options.clock,
      );
      this.#partitions.set(key, partition);
    }
    return partition;
  }

  /**
   * One step of an upload's receipt version: reading, taking the lease (waiting on the clock while another upload
   * holds it), then each write under it as a table write of its own, followed by the stream records of every item
   * it changed (runs, labels, the merchant record).
   */
  async #versionCall(
    partition: Partition,
    writer: Writer,
    method: string,
    args: unknown[],
  ): Promise<unknown> {
    if (method === 'read') return partition.versions.read(args[0] as ReceiptRef);
    if (method === 'lease') return this.#takeLease(partition, args[1] as { readonly waitUntil: number });
    const token = args[0] as LeaseToken;
    const lease = this.#leases.get(token.lease);
    if (!lease) throw new TypeError(`no lease ${token.lease} in the simulated database`);
    if (method === 'release') return lease.release();
    // A write under a lease another upload took over is fenced by the store: it writes nothing.
    for (const arg of args.slice(1)) rememberRunKey(partition, arg);
    return partition.exclusive(async () => {
      try {
        if (method === 'writeContent') {
          await lease.writeContent(
            args[1] as Parameters<ReceiptVersionLease['writeContent']>[0],
            args[2] as [],
          );
        } else if (method === 'writeRun') {
          await lease.writeRun(args[1] as Parameters<ReceiptVersionLease['writeRun']>[0]);
        } else if (method === 'rollback') {
          await lease.rollback();
        } else {
          throw new TypeError(`the versions store has no method ${method}`);
        }
      } finally {
        for (const store of ['runs', 'labels', 'merchant'] as const)
          await this.#report(partition, store, writer);
      }
    });
  }

  /**
   * The receipt's lease, as the DynamoDB adapter gives it (the store's): waits on the clock while another upload
   * holds it, and takes over one not renewed for LEASE_MS (its holder crashed or timed out; no Lambda runs that
   * long), whose holder's writes are refused from then on.
   */
  async #takeLease(partition: Partition, options: { readonly waitUntil: number }): Promise<unknown> {
    const lease = await partition.versions.lease(partition.receipt, { waitUntil: options.waitUntil });
    const id = ++this.#lastLease;
    this.#leases.set(id, lease);
    return { ...partition.receipt, lease: id, stored: lease.stored };
  }

  /** Appends a stream record for every item of `store` that changed since the last report. */
  async #report(partition: Partition, store: StoreName, writer: Writer): Promise<void> {
    const items: Item[] = [];
    if (store === 'runs') {
      for (const key of partition.runKeys.values()) {
        const run = partition.runs.peek(key);
        if (run) items.push(toCompactionRunItem(run));
      }
      this.#diff(partition, 'COMPACTION_RUN', items);
    } else if (store === 'merchant') {
      const record = await partition.merchant.getMerchantRecord(partition.receipt);
      if (record) items.push(this.#options.merchantToItem(record));
      this.#diff(partition, 'MERCHANT', items);
    } else if (store === 'labels') {
      const labels = await partition.labels.getLabels(partition.receipt);
      const now = new Map(labels.map((label) => [wordLabelId(label), label]));
      const changes: LabelChange[] = [];
      for (const [id, after] of now) {
        const before = partition.labelsSeen.get(id);
        if (!before || !sameLabel(before, after)) changes.push({ before, after });
      }
      for (const [id, before] of partition.labelsSeen)
        if (!now.has(id)) changes.push({ before, after: undefined });
      partition.labelsSeen = now;
      if (changes.length === 0) return;
      this.#options.observer.labelsChanged(writer, partition.receipt, changes);
      // Only the changed labels are encoded: a receipt has dozens, a write changes a few.
      for (const { before, after } of changes) {
        const item = toWordLabelItem((after ?? before) as ReceiptWordLabel);
        const key = `LABEL|${item.PK?.S}|${item.SK?.S}`;
        const previous = partition.images.get(key);
        if (after) partition.images.set(key, { json: '', item });
        else partition.images.delete(key);
        this.#options.stream.append({
          eventName: !after ? 'REMOVE' : previous ? 'MODIFY' : 'INSERT',
          newImage: after && item,
          oldImage: previous?.item,
        });
      }
    }
  }

  /** Stream records for the items of one kind (`scope`) that were added, changed or removed. */
  #diff(partition: Partition, scope: string, items: readonly Item[]): void {
    const current = new Set<string>();
    for (const item of items) {
      const key = `${scope}|${item.PK?.S}|${item.SK?.S}`;
      current.add(key);
      const json = JSON.stringify(item);
      const before = partition.images.get(key);
      if (before?.json === json) continue;
      partition.images.set(key, { json, item });
      this.#options.stream.append({
        eventName: before ? 'MODIFY' : 'INSERT',
        newImage: item,
        oldImage: before?.item,
      });
    }
    for (const [key, before] of partition.images) {
      if (!key.startsWith(`${scope}|`) || current.has(key)) continue;
      partition.images.delete(key);
      this.#options.stream.append({ eventName: 'REMOVE', newImage: undefined, oldImage: before.item });
    }
  }

  async #checkGuard(partition: Partition, writer: Writer, args: readonly unknown[]): Promise<void> {
    const guard = (args[1] as { requireCompleted?: CompactionRunKey } | undefined)?.requireCompleted;
    if (!guard) return;
    const run = partition.runs.peek(guard);
    this.#options.observer.guardedWriteApplied(
      writer,
      guard,
      run?.linesState === 'COMPLETED' && run.wordsState === 'COMPLETED',
    );
  }
}

function rememberRunKey(partition: Partition, arg: unknown): void {
  if (typeof arg !== 'object' || arg === null) return;
  const key = arg as Partial<CompactionRunKey>;
  if (typeof key.runId === 'string' && typeof key.imageId === 'string' && typeof key.receiptId === 'number') {
    const runKey = { imageId: key.imageId, receiptId: key.receiptId, runId: key.runId };
    partition.runKeys.set(`${runKey.imageId}#${runKey.receiptId}#${runKey.runId}`, runKey);
  }
}

/** Two labels with the same id and the same attributes. */
function sameLabel(a: ReceiptWordLabel, b: ReceiptWordLabel): boolean {
  return (
    a.validationStatus === b.validationStatus &&
    a.timestampAdded === b.timestampAdded &&
    a.reasoning === b.reasoning &&
    a.labelProposedBy === b.labelProposedBy &&
    a.labelConsolidatedFrom === b.labelConsolidatedFrom
  );
}
