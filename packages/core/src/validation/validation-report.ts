import type { CompactionRunKey } from '../domain/compaction-run.js';
import type { MerchantCorrection } from '../domain/merchant-correction.js';
import type { GateResult } from '../ports/compaction-gate.js';
import type { LabelProposal } from '../ports/receipt-analyzer.js';

/** How the labels were (or were not) written. */
export type WriteDecision = 'write_guarded' | 'write_unguarded' | 'skip';

export interface RejectedProposal {
  readonly proposal: LabelProposal;
  readonly reason: string;
}

export type MetadataChange =
  | { readonly status: 'no_metadata' | 'matches' | 'skipped' }
  | { readonly status: 'corrected'; readonly changes: MerchantCorrection; readonly reasoning: string }
  /** The metadata changed since it was read; nothing was written. */
  | { readonly status: 'conflict'; readonly changes: MerchantCorrection; readonly reasoning: string };

export interface ValidationReport {
  readonly run: CompactionRunKey;
  readonly gate: GateResult;
  readonly decision: WriteDecision;
  /** The analyzer whose proposals these are (`label_proposed_by`). */
  readonly analyzer: string;
  readonly labels: {
    readonly proposed: number;
    readonly written: number;
    readonly alreadyPresent: number;
    readonly frozen: number;
    readonly rejected: readonly RejectedProposal[];
  };
  readonly metadata: MetadataChange;
  readonly timings: {
    /** Clock time the validation started. */
    readonly startedAt: number;
    readonly gateMs: number;
    readonly analysisMs: number;
    readonly totalMs: number;
  };
}
