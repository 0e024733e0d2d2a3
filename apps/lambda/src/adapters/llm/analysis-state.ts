import { Annotation } from '@langchain/langgraph';
import type { LabelProposal, MetadataVerdict, ReceiptAnalysis } from '@receipt-gate/core';
import type { PromptLine, PromptMerchantRecord } from './receipt-prompt.js';
import { addDropCounts, type DropCounts } from './validate-proposals.js';

/** How one model step went; `error` is already scrubbed of secrets. */
export interface StepOutcome {
  readonly step: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** The analysis, with what was dropped (by reason) and how each step went. */
export interface LlmReceiptAnalysis extends ReceiptAnalysis {
  readonly dropped: DropCounts;
  readonly steps: readonly StepOutcome[];
}

const concat = <T>(a: readonly T[], b: readonly T[]): readonly T[] => [...a, ...b];

/**
 * The graph's state: the receipt's text as given and what the steps found. It holds receipt data only, never
 * configuration or keys (state is what traces record).
 */
export const AnalysisState = Annotation.Root({
  /** The receipt's words as numbered tokens, by line, bounded in size (input). */
  lines: Annotation<readonly PromptLine[]>,
  /** The merchant record to check; absent when the receipt has none (input). */
  record: Annotation<PromptMerchantRecord | undefined>,
  /** Proposals that passed validation, from every step. */
  proposals: Annotation<readonly LabelProposal[]>({ reducer: concat, default: () => [] }),
  dropped: Annotation<DropCounts>({ reducer: addDropCounts, default: () => ({}) }),
  steps: Annotation<readonly StepOutcome[]>({ reducer: concat, default: () => [] }),
  verdict: Annotation<MetadataVerdict | undefined>,
  /** The combined result (output). */
  analysis: Annotation<LlmReceiptAnalysis | undefined>,
});

export type AnalysisStateValue = typeof AnalysisState.State;
export type AnalysisStateUpdate = typeof AnalysisState.Update;
