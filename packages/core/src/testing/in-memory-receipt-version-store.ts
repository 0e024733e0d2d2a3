import type { CompactionRun } from '../domain/compaction-run.js';
import { isDecidedStatus } from '../domain/label-validation-status.js';
import { parseMerchantRecord } from '../domain/merchant-record.js';
import { parseReceiptRef, type ReceiptRef } from '../domain/receipt-ref.js';
import {
  parseReceiptLine,
  parseReceiptWord,
  type ReceiptLine,
  sameTextContent,
} from '../domain/receipt-text.js';
import type { ReceiptWordLabel } from '../domain/word-label.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import type { Clock } from '../ports/clock.js';
import type {
  CheckedReceiptVersion,
  ReceiptVersion,
  ReceiptVersionLease,
  ReceiptVersionStore,
  StoredReceipt,
} from '../ports/receipt-version-store.js';
import { FaultInjector } from './fault-injector.js';
import type { InMemoryCompactionRunRepository } from './in-memory-compaction-run-repository.js';
import type { InMemoryLabelRepository } from './in-memory-label-repository.js';
import type { InMemoryMerchantRecordRepository } from './in-memory-merchant-record-repository.js';
import type { InMemoryReceiptRepository } from './in-memory-receipt-repository.js';

const DEFAULT_LEASE_MS = 60_000;

export interface InMemoryReceiptVersionStoreOptions {
  readonly receipts: InMemoryReceiptRepository;
  readonly labels: InMemoryLabelRepository;
  readonly metadata: InMemoryMerchantRecordRepository;
  readonly runs: InMemoryCompactionRunRepository;
  /** Waits of a lease taker (and `waitUntil`) are on this clock. */
  readonly clock: Clock;
  /** How often a waiting lease taker looks again (default 10 ms). */
  readonly pollMs?: number;
  /**
   * How long a lease lasts without a write renewing it (default 60 s, as the DynamoDB adapter's): then another
   * upload takes it over, and its holder's writes are refused.
   */
  readonly leaseMs?: number;
}

/** One upload's hold on a receipt: renewed by each write, fenced once another upload took it over. */
interface Hold {
  expiresAt: number;
  fenced: boolean;
}

/**
 * ReceiptVersionStore over the in-memory fakes, with the DynamoDB adapter's semantics: one lease per receipt, which
 * each write renews and which expires `leaseMs` after the last one (a crashed holder's is taken over, and its
 * writes are fenced off from then on), whole-version writes that leave unchanged items as they are, labels deleted
 * only while undecided, and a rollback of everything written under a lease. Holds no limits (every parsed version
 * fits). Faults are injected per write call, before it changes anything.
 */
export class InMemoryReceiptVersionStore implements ReceiptVersionStore {
  /** Applied to writeContent. */
  readonly contentFaults = new FaultInjector();
  /** Applied to writeRun. */
  readonly runFaults = new FaultInjector();
  /** Applied to rollback. */
  readonly rollbackFaults = new FaultInjector();
  readonly #options: InMemoryReceiptVersionStoreOptions;
  readonly #held = new Map<string, Hold>();

  constructor(options: InMemoryReceiptVersionStoreOptions) {
    this.#options = options;
  }

  check(version: ReceiptVersion): CheckedReceiptVersion {
    return { version, problems: [] };
  }

  async read(receipt: ReceiptRef): Promise<StoredReceipt> {
    const ref = parseReceiptRef(receipt);
    const { receipts, labels, metadata, runs } = this.#options;
    const [content, stored, record] = await Promise.all([
      receipts.getReceiptContent(ref),
      labels.getLabels(ref),
      metadata.getMerchantRecord(ref),
    ]);
    return {
      ...content,
      labels: stored,
      ...(record && { metadata: record }),
      hasMerchantRecord: record !== undefined,
      runs: runs.runsOf(ref),
      unreadable: [],
    };
  }

  async lease(receipt: ReceiptRef, options: { readonly waitUntil: number }): Promise<ReceiptVersionLease> {
    const ref = parseReceiptRef(receipt);
    const id = `${ref.imageId}#${ref.receiptId}`;
    const { clock, pollMs = 10, leaseMs = DEFAULT_LEASE_MS } = this.#options;
    for (let holder = this.#held.get(id); holder; holder = this.#held.get(id)) {
      if (clock.now() >= holder.expiresAt) {
        // Its holder stopped writing (a crash, a timeout): taken over, and its writes from now on refused.
        holder.fenced = true;
        this.#held.delete(id);
        break;
      }
      if (clock.now() >= options.waitUntil) {
        throw new TransientStoreError(
          `receipt ${ref.imageId}/${ref.receiptId} is being uploaded by another request; try again`,
        );
      }
      await clock.sleep(Math.min(pollMs, Math.max(1, options.waitUntil - clock.now())));
    }
    const hold: Hold = { expiresAt: clock.now() + leaseMs, fenced: false };
    this.#held.set(id, hold);
    const free = () => {
      if (this.#held.get(id) === hold) this.#held.delete(id);
    };
    try {
      return new InMemoryLease(this, this.#options, ref, await this.read(ref), hold, free);
    } catch (error) {
      free();
      throw error;
    }
  }
}

class InMemoryLease implements ReceiptVersionLease {
  readonly #undo: (() => void)[] = [];
  #released = false;

  constructor(
    readonly store: InMemoryReceiptVersionStore,
    readonly options: InMemoryReceiptVersionStoreOptions,
    readonly receipt: ReceiptRef,
    readonly stored: StoredReceipt,
    readonly hold: Hold,
    readonly free: () => void,
  ) {}

  async writeContent(version: ReceiptVersion, labels: readonly ReceiptWordLabel[]): Promise<void> {
    this.#mustHold();
    await this.store.contentFaults.apply('writeContent');
    const { receipts, labels: labelStore, metadata } = this.options;
    const decided = labels.filter((label) => {
      const current = labelStore.peek(label);
      return current !== undefined && isDecidedStatus(current.validationStatus);
    });
    if (decided.length > 0) {
      throw new TransientStoreError(
        `label ${decided[0]?.label} of word ${decided[0]?.lineId}/${decided[0]?.wordId} was decided meanwhile; try again`,
      );
    }
    const before = await receipts.getReceiptContent(this.receipt);
    // Unchanged items stay as stored (their embedding status included); the rest become the version's.
    const keep = <T extends ReceiptLine>(next: readonly T[], stored: readonly T[], parse: (item: T) => T) =>
      next.map((item) => stored.find((old) => sameTextContent(old, item)) ?? parse(item));
    receipts.replaceReceiptContent(this.receipt, {
      lines: keep(version.lines, before.lines, parseReceiptLine),
      words: keep(version.words, before.words, parseReceiptWord),
    });
    this.#undo.push(() => receipts.replaceReceiptContent(this.receipt, before));
    for (const label of labels) {
      const removed = labelStore.peek(label);
      if (!removed) continue;
      labelStore.remove(label);
      this.#undo.push(() => labelStore.put(removed));
    }
    if (version.metadata && !(await metadata.getMerchantRecord(this.receipt))) {
      await metadata.addMerchantRecord(parseMerchantRecord(version.metadata));
      this.#undo.push(() => metadata.remove(this.receipt));
    }
    this.#renew();
  }

  async writeRun(run: CompactionRun): Promise<void> {
    this.#mustHold();
    await this.store.runFaults.apply('writeRun');
    const { runs } = this.options;
    if (run.imageId !== this.receipt.imageId || run.receiptId !== this.receipt.receiptId) {
      throw new InvalidValueError('run', `is not a run of ${this.receipt.imageId}/${this.receipt.receiptId}`);
    }
    runs.remove(run);
    await runs.createCompactionRun(run);
    this.#undo.push(() => runs.remove(run));
    this.#renew();
  }

  async rollback(): Promise<void> {
    this.#mustHold();
    await this.store.rollbackFaults.apply('rollback');
    for (const undo of this.#undo.splice(0).reverse()) undo();
    this.#renew();
  }

  /** Gives the lease up; one taken over meanwhile is another upload's now, and stays so. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.free();
  }

  #mustHold(): void {
    if (this.#released) throw new TransientStoreError('the lease was released; take it again to write');
    if (this.hold.fenced) {
      throw new TransientStoreError('the receipt lease expired and another upload took it over; try again');
    }
  }

  #renew(): void {
    this.hold.expiresAt = this.options.clock.now() + (this.options.leaseMs ?? DEFAULT_LEASE_MS);
  }
}
