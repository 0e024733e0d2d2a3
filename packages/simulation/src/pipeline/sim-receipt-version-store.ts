import type {
  CheckedReceiptVersion,
  CompactionRun,
  ReceiptRef,
  ReceiptVersion,
  ReceiptVersionLease,
  ReceiptVersionStore,
  ReceiptWordLabel,
  StoredReceipt,
} from '@receipt-gate/core';

/** A lease held in the simulated database, named by its receipt (so every call routes to it) and a number. */
export interface LeaseToken extends ReceiptRef {
  readonly lease: number;
}

/** The database's `versions` store, as a handler's environment reaches it (every call faulted and traced). */
export interface VersionCalls {
  read(receipt: ReceiptRef): Promise<StoredReceipt>;
  lease(
    receipt: ReceiptRef,
    options: { readonly waitUntil: number },
  ): Promise<LeaseToken & { readonly stored: StoredReceipt }>;
  writeContent(
    token: LeaseToken,
    version: ReceiptVersion,
    labels: readonly ReceiptWordLabel[],
  ): Promise<void>;
  writeRun(token: LeaseToken, run: CompactionRun): Promise<void>;
  rollback(token: LeaseToken): Promise<void>;
  release(token: LeaseToken): Promise<void>;
}

/**
 * The upload's ReceiptVersionStore in the simulation: each step of a lease is its own call of the database, so
 * faults, latency and crash points fall between an upload's writes as they would between its DynamoDB requests,
 * and each write's stream records follow it. Like the in-memory store, it holds no size limits.
 */
export class SimReceiptVersionStore implements ReceiptVersionStore {
  constructor(private readonly calls: VersionCalls) {}

  check(version: ReceiptVersion): CheckedReceiptVersion {
    return { version, problems: [] };
  }

  read(receipt: ReceiptRef): Promise<StoredReceipt> {
    return this.calls.read(receipt);
  }

  async lease(receipt: ReceiptRef, options: { readonly waitUntil: number }): Promise<ReceiptVersionLease> {
    const { stored, ...held } = await this.calls.lease(receipt, options);
    const token: LeaseToken = { imageId: held.imageId, receiptId: held.receiptId, lease: held.lease };
    return {
      stored,
      writeContent: (version, labels) => this.calls.writeContent(token, version, labels),
      writeRun: (run) => this.calls.writeRun(token, run),
      rollback: () => this.calls.rollback(token),
      release: () => this.calls.release(token),
    };
  }
}
