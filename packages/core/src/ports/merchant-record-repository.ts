import type { MerchantRecord } from '../domain/merchant-record.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';

export type MerchantRecordUpdateResult =
  | { readonly applied: true; readonly record: MerchantRecord }
  /** The record changed since it was read (or disappeared, or cannot be read): nothing was written. */
  | { readonly applied: false; readonly current: MerchantRecord | undefined };

/**
 * The merchant record of each receipt, wherever the table keeps it (RECEIPT_PLACE, or RECEIPT_METADATA on a table
 * that has not migrated). A stored record that cannot be read is reported and treated as absent: it is never
 * rewritten.
 */
export interface MerchantRecordRepository {
  /** Strongly consistent; undefined when the receipt has none (or none that can be read). */
  getMerchantRecord(receipt: ReceiptRef): Promise<MerchantRecord | undefined>;
  /** Creates the record unless the receipt has one already; returns whether it was created. */
  addMerchantRecord(record: MerchantRecord): Promise<boolean>;
  /**
   * Replaces `expected` (as read) by `next`, only if the stored record still holds exactly what was read
   * (optimistic concurrency); only what differs is written, so whatever the record holds beyond our fields stays.
   * Refuses (InvalidValueError) a `next` of another receipt or one that changes nothing.
   */
  updateMerchantRecord(expected: MerchantRecord, next: MerchantRecord): Promise<MerchantRecordUpdateResult>;
}
