import type { StreamFailureRecord } from '@receipt-gate/local-runtime';

/** One entry of an on-failure destination: the description of a batch given up on. */
export interface FailureEntry {
  /** Where it is, for messages: `file:line`, or the SQS message id. */
  readonly id: string;
  readonly record: StreamFailureRecord;
}

/** An on-failure destination a redrive reads its entries from and removes the redriven ones from. */
export interface FailureSource {
  /** What it holds, oldest first. */
  list(): Promise<FailureEntry[]>;
  /** Removes these entries (and only these); what arrived meanwhile stays. */
  remove(entries: readonly FailureEntry[]): Promise<void>;
  /** Gives these entries back untouched (a queue makes received messages visible again). */
  release(entries: readonly FailureEntry[]): Promise<void>;
}
