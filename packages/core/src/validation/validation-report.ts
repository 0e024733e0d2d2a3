import type { CompactionRunKey } from '../domain/compaction-run.js';
import type { MerchantCorrection } from '../domain/merchant-correction.js';
import type { GateResult } from '../ports/compaction-gate.js';
import type { AnalysisOutcome, LabelProposal } from '../ports/receipt-analyzer.js';

/** How the labels were (or were not) written. */
export type WriteDecision = 'write_guarded' | 'write_unguarded' | 'skip';

export interface RejectedProposal {
  readonly proposal: LabelProposal;
  readonly reason: string;
}

/** A metadata correction of the analyzer that was refused, and why. */
export interface RejectedCorrection {
  /** The field named (`corrections` when the corrections were not an object of fields at all). */
  readonly field: string;
  readonly reason: string;
}

/** When the caller aborted, and what the validation was doing then. */
export interface AbortRecord {
  /** Clock ms after the validation started. */
  readonly afterMs: number;
  /**
   * `gate`: the gate had not settled; `analysis`: it had, and the analysis (running or just returned) had not
   * been used yet; `writes`: the writes had begun.
   */
  readonly during: 'gate' | 'analysis' | 'writes';
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
  /**
   * The analyzer's metadata corrections, checked as untrusted input on the way to the writes (so none on a
   * skip): how many could apply (metadata read, a verdict that does not match), and those refused.
   */
  readonly corrections: {
    readonly proposed: number;
    readonly rejected: readonly RejectedCorrection[];
  };
  readonly analysis: { readonly outcome: AnalysisOutcome };
  /** Present when the caller aborted. */
  readonly aborted?: AbortRecord;
  readonly timings: {
    /** Clock time the validation started. */
    readonly startedAt: number;
    readonly gateMs: number;
    readonly analysisMs: number;
    readonly totalMs: number;
  };
}
