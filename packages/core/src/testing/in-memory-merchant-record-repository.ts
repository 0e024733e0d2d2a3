import {
  type MerchantRecord,
  parseMerchantRecord,
  parseMerchantRecordChange,
  sameMerchantRecord,
} from '../domain/merchant-record.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { Clock } from '../ports/clock.js';
import type {
  MerchantRecordRepository,
  MerchantRecordUpdateResult,
} from '../ports/merchant-record-repository.js';
import { FaultInjector } from './fault-injector.js';

export interface InMemoryMerchantRecordRepositoryOptions {
  /** With a clock, each logged update carries the time it was made. */
  readonly clock?: Clock;
}

/** One updateMerchantRecord call that reached the store (past fault injection and validation). */
export interface MerchantRecordUpdate {
  readonly at?: number;
  /** The record as the caller read it. */
  readonly expected: MerchantRecord;
  /** What the caller asked to store instead. */
  readonly next: MerchantRecord;
  /** False when the record was missing or no longer what the caller read. */
  readonly applied: boolean;
}

/**
 * MerchantRecordRepository in memory, with the DynamoDB adapter's semantics: creation only when absent, updates
 * only while the stored record is still the one read. Logs every update for ordering proofs; injects write faults.
 */
export class InMemoryMerchantRecordRepository implements MerchantRecordRepository {
  /** Applied to addMerchantRecord and updateMerchantRecord. */
  readonly writeFaults = new FaultInjector();
  readonly updates: MerchantRecordUpdate[] = [];
  readonly #items = new Map<string, MerchantRecord>();
  readonly #options: InMemoryMerchantRecordRepositoryOptions;

  constructor(options: InMemoryMerchantRecordRepositoryOptions = {}) {
    this.#options = options;
  }

  async getMerchantRecord(receipt: ReceiptRef): Promise<MerchantRecord | undefined> {
    const record = this.#items.get(keyOf(receipt));
    return record && copy(record);
  }

  /** Removes the receipt's record, if any (for InMemoryReceiptVersionStore's rollback). */
  remove(receipt: ReceiptRef): void {
    this.#items.delete(keyOf(receipt));
  }

  async addMerchantRecord(record: MerchantRecord): Promise<boolean> {
    await this.writeFaults.apply('addMerchantRecord');
    const parsed = parseMerchantRecord(record);
    if (this.#items.has(keyOf(parsed))) return false;
    this.#items.set(keyOf(parsed), copy(parsed));
    return true;
  }

  async updateMerchantRecord(
    expected: MerchantRecord,
    next: MerchantRecord,
  ): Promise<MerchantRecordUpdateResult> {
    await this.writeFaults.apply('updateMerchantRecord');
    // Validated before anything is written or logged.
    const parsed = parseMerchantRecordChange(expected, next);
    const stored = this.#items.get(keyOf(expected));
    const applied = stored !== undefined && sameMerchantRecord(stored, expected);
    const loggedAt = this.#options.clock?.now();
    this.updates.push({
      ...(loggedAt === undefined ? {} : { at: loggedAt }),
      expected,
      next: parsed,
      applied,
    });
    if (!applied) return { applied: false, current: stored && copy(stored) };
    this.#items.set(keyOf(parsed), copy(parsed));
    return { applied: true, record: copy(parsed) };
  }

  /** Stores a record as given, replacing any: writes as someone else would (not logged, no fault injected). */
  put(record: MerchantRecord): void {
    const parsed = parseMerchantRecord(record);
    this.#items.set(keyOf(parsed), copy(parsed));
  }
}

// A record is plain JSON data; callers never share the stored object (or its lists and maps).
function copy(record: MerchantRecord): MerchantRecord {
  return JSON.parse(JSON.stringify(record)) as MerchantRecord;
}

function keyOf(receipt: ReceiptRef): string {
  return `${receipt.imageId}#${receipt.receiptId}`;
}
