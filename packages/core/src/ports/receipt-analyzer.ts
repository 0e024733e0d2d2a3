import type { WordLabelName } from '../domain/label-vocabulary.js';
import type { MerchantCorrection } from '../domain/merchant-correction.js';
import type { MerchantRecord } from '../domain/merchant-record.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { ReceiptLine, ReceiptWord } from '../domain/receipt-text.js';

export type * from './abort-signal.js';

export interface ReceiptAnalysisInput {
  readonly receipt: ReceiptRef;
  readonly lines: readonly ReceiptLine[];
  readonly words: readonly ReceiptWord[];
  /** The receipt's merchant record, when it has one. */
  readonly metadata?: MerchantRecord;
}

export interface AnalyzeOptions {
  readonly signal?: AbortSignal;
  /** Epoch ms by which the analysis must have returned. */
  readonly deadlineAt?: number;
}

/** A label proposed for one word of the analysed receipt. */
export interface LabelProposal {
  readonly lineId: number;
  readonly wordId: number;
  readonly label: WordLabelName;
  readonly reasoning: string;
}

/** Whether the merchant record agrees with what the receipt says, and what to correct when it does not. */
export interface MetadataVerdict {
  readonly matches: boolean;
  /** Non-empty only when `matches` is false. */
  readonly corrections: MerchantCorrection;
  readonly reasoning: string;
}

export interface ReceiptAnalysis {
  /** Recorded as the labels' `label_proposed_by`. */
  readonly analyzer: string;
  readonly proposals: readonly LabelProposal[];
  /** Absent when the receipt has no metadata to check. */
  readonly metadata?: MetadataVerdict;
}

/** Proposes labels and a metadata verdict for one receipt. It only reads what it is given; it never writes. */
export interface ReceiptAnalyzer {
  readonly name: string;
  analyze(input: ReceiptAnalysisInput, options?: AnalyzeOptions): Promise<ReceiptAnalysis>;
}

/**
 * What became of an analysis the validation started: it `returned` (its proposals were considered); it `overran`
 * the validation's deadline and was let go; it was `stopped` because the gate's outcome meant nothing would be
 * written (or the gate failed); or it was `aborted` by the caller. Only a returned analysis is written from.
 */
export type AnalysisOutcome = 'returned' | 'overran' | 'stopped' | 'aborted';
