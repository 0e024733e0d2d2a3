import type { LabelProposal } from '@receipt-gate/core';
import type { AnalysisStateUpdate, AnalysisStateValue } from './analysis-state.js';

/** Combines the steps' validated findings into one analysis: each (word, label) once, in reading order. */
export function combineNode(analyzer: string) {
  return (state: AnalysisStateValue): AnalysisStateUpdate => {
    const unique = new Map<string, LabelProposal>();
    for (const proposal of state.proposals) {
      const key = `${proposal.lineId}.${proposal.wordId}.${proposal.label}`;
      if (!unique.has(key)) unique.set(key, proposal);
    }
    const proposals = [...unique.values()].sort(
      (a, b) => a.lineId - b.lineId || a.wordId - b.wordId || a.label.localeCompare(b.label),
    );
    return {
      analysis: {
        analyzer,
        proposals,
        ...(state.verdict && { metadata: state.verdict }),
        dropped: state.dropped,
        steps: state.steps,
      },
    };
  };
}
