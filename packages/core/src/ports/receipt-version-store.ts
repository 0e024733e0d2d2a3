import type { CompactionRun } from '../domain/compaction-run.js';
import type { MerchantRecord } from '../domain/merchant-record.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { ReceiptLine, ReceiptWord } from '../domain/receipt-text.js';
import type { ReceiptWordLabel } from '../domain/word-label.js';

/** The content an upload makes one receipt hold. */
export interface ReceiptVersion {
  readonly receipt: ReceiptRef;
  readonly lines: readonly ReceiptLine[];
  readonly words: readonly ReceiptWord[];
  /** Created when the receipt has no merchant record; one it has is never replaced by an upload. */
  readonly metadata?: MerchantRecord;
}

/** What a receipt holds, read strongly consistent. Items that cannot be read are left out and listed by id. */
export interface StoredReceipt {
  readonly lines: readonly ReceiptLine[];
  readonly words: readonly ReceiptWord[];
  readonly labels: readonly ReceiptWordLabel[];
  /** Its merchant record, when it has one that can be read. */
  readonly metadata?: MerchantRecord;
  /** Whether it has a merchant record at all (one that cannot be read included). */
  readonly hasMerchantRecord: boolean;
  readonly runs: readonly CompactionRun[];
  /**
   * Lines (`"{lineId}"`) and words (`"{lineId}/{wordId}"`) stored in a form that cannot be read (another service
   * wrote them so): an upload never touches them.
   */
  readonly unreadable: readonly string[];
}

export interface CheckedReceiptVersion {
  /** The version as the store holds it (numbers at the store's precision): compare and identify this one. */
  readonly version: ReceiptVersion;
  /** What the store cannot hold, each naming where (`words[3]: RECEIPT_WORD.text: ...`); empty when nothing. */
  readonly problems: readonly string[];
}

/**
 * Where an upload stores a receipt's content and its compaction run, one version at a time: an upload takes the
 * receipt's lease, so two uploads of one receipt never interleave their writes, and everything it writes can be
 * undone while it holds the lease.
 */
export interface ReceiptVersionStore {
  /** Checks a version against everything the store cannot hold; no I/O. */
  check(version: ReceiptVersion): CheckedReceiptVersion;
  read(receipt: ReceiptRef): Promise<StoredReceipt>;
  /**
   * Takes the receipt's lease, waiting while another upload holds it, until `waitUntil` (epoch ms on the store's
   * clock): then TransientStoreError. A lease its holder never released (a crash) expires after a while.
   */
  lease(receipt: ReceiptRef, options: { readonly waitUntil: number }): Promise<ReceiptVersionLease>;
}

/**
 * One upload's hold on a receipt. Every write is fenced: once another upload has taken over an expired lease, this
 * one's writes fail (TransientStoreError) instead of mixing with the other's.
 */
export interface ReceiptVersionLease {
  /** What the receipt holds, read once the lease was taken. */
  readonly stored: StoredReceipt;
  /**
   * Makes the receipt's lines and words those of `version`: creates the new ones, replaces the changed ones
   * (`sameTextContent` tells), deletes the ones it lacks, and never touches one in `stored.unreadable`; deletes
   * `labels`, each only while it is still undecided; creates the merchant record if the receipt has none. On a
   * failure it undoes its own writes before throwing.
   */
  writeContent(version: ReceiptVersion, labels: readonly ReceiptWordLabel[]): Promise<void>;
  /**
   * Creates the run. A run stored under the same key (an earlier version of the same content) is replaced by a new
   * item, so that the stream shows its creation again and it is compacted again.
   */
  writeRun(run: CompactionRun): Promise<void>;
  /** Undoes every write made under this lease, newest first (except a replaced run, which is not brought back). */
  rollback(): Promise<void>;
  /** Gives the lease up; harmless when called again. */
  release(): Promise<void>;
}
