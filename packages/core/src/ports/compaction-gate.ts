import type { CompactionRun, CompactionRunKey } from '../domain/compaction-run.js';

export type * from './abort-signal.js';

export type GateOutcome = 'completed' | 'failed' | 'timed_out' | 'not_found' | 'aborted';

export interface GateResult {
  readonly outcome: GateOutcome;
  /** Measured by the clock from the first read to settling. */
  readonly waitedMs: number;
  /** Reads made, failed reads included. */
  readonly polls: number;
  /** The last run read, when one was. */
  readonly run?: CompactionRun;
  /** The failure text when `failed`; the last transient read error otherwise, if any. */
  readonly error?: string;
}

export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** Epoch ms after which no read is made; caps the policy's maximum wait. */
  readonly deadlineAt?: number;
}

export interface CompactionGate {
  waitForCompaction(key: CompactionRunKey, options?: WaitOptions): Promise<GateResult>;
}
