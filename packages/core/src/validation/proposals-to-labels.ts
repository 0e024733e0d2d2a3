import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { ReceiptWord } from '../domain/receipt-text.js';
import { parseWordLabel, type ReceiptWordLabel, wordLabelId } from '../domain/word-label.js';
import type { LabelProposal } from '../ports/receipt-analyzer.js';
import type { RejectedProposal } from './validation-report.js';

/**
 * Turns an analyzer's proposals into new PENDING labels. Analyzer output is not trusted: a proposal must name a
 * word of this receipt and be a valid label (ids > 0, label in the vocabulary); anything else is rejected with
 * its reason. Repeated proposals become one label.
 */
export function proposalsToLabels(
  receipt: ReceiptRef,
  words: readonly ReceiptWord[],
  proposals: readonly LabelProposal[],
  proposedBy: string,
  timestampAdded: string,
): { labels: ReceiptWordLabel[]; rejected: RejectedProposal[] } {
  const known = new Set(words.map((word) => `${word.lineId}#${word.wordId}`));
  const labels = new Map<string, ReceiptWordLabel>();
  const rejected: RejectedProposal[] = [];
  for (const proposal of proposals) {
    if (!known.has(`${proposal.lineId}#${proposal.wordId}`)) {
      rejected.push({ proposal, reason: `no word ${proposal.lineId}/${proposal.wordId} on this receipt` });
      continue;
    }
    try {
      const label = parseWordLabel({
        ...receipt,
        lineId: proposal.lineId,
        wordId: proposal.wordId,
        label: proposal.label,
        reasoning: proposal.reasoning,
        timestampAdded,
        validationStatus: 'PENDING',
        labelProposedBy: proposedBy,
      });
      labels.set(wordLabelId(label), labels.get(wordLabelId(label)) ?? label);
    } catch (error) {
      rejected.push({ proposal, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { labels: [...labels.values()], rejected };
}
