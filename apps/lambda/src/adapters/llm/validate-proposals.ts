import {
  AMOUNT_LABELS,
  isWordLabelName,
  type LabelProposal,
  parseMoney,
  type WordLabelName,
} from '@receipt-gate/core';
import type { PromptLine } from './receipt-prompt.js';
import type { RawProposal } from './reply-schemas.js';

/** Why a piece of model output was not kept. */
export type DropReason =
  /** A line or word id that is not a positive integer (labels need ids > 0). */
  | 'invalid_id'
  /** No such word among those the step was shown: another receipt's, or made up. */
  | 'unknown_word'
  /** Not in the label vocabulary. */
  | 'unknown_label'
  /** In the vocabulary, but not one this step proposes. */
  | 'label_not_allowed'
  /** A money label on a word that does not read as an amount. */
  | 'not_an_amount'
  /** A quantity or unit price on a word without a digit. */
  | 'not_a_number'
  /** A metadata correction of a field a validation may not change. */
  | 'field_not_correctable'
  /** A metadata correction whose value the receipt does not print. */
  | 'value_not_on_receipt';

export type DropCounts = Readonly<Partial<Record<DropReason, number>>>;

/** What a step may label: the words it was shown, and its labels. */
export interface ProposalScope {
  /** Names the step in each kept proposal's reasoning. */
  readonly step: string;
  readonly lines: readonly PromptLine[];
  readonly labels: readonly WordLabelName[];
}

// Labels of a word that is itself an amount: its text must read as money (`12.88-`, `$25.01`).
const MONEY_LABELS: ReadonlySet<WordLabelName> = new Set<WordLabelName>(AMOUNT_LABELS);
// Printed with units or in compounds (`x2`, `2.899/GAL`, `3@2.99`): a digit is all that can be required.
const NUMERIC_LABELS: ReadonlySet<WordLabelName> = new Set<WordLabelName>(['QUANTITY', 'UNIT_PRICE']);
const MAX_REASON_CHARS = 200;

/**
 * Keeps a proposal only if it names a word the step was shown (so a word of this receipt: ids > 0), a label of
 * the vocabulary that the step proposes, and, for amounts, a word whose text reads as one. The model's output is
 * untrusted: everything else is dropped and counted by reason.
 */
export function validateProposals(
  raw: readonly RawProposal[],
  scope: ProposalScope,
): { proposals: LabelProposal[]; dropped: DropCounts } {
  const words = wordTexts(scope.lines);
  const allowed = new Set<string>(scope.labels);
  const proposals: LabelProposal[] = [];
  const dropped: Partial<Record<DropReason, number>> = {};
  for (const proposal of raw) {
    const reason = dropReason(proposal, words, allowed);
    if (reason) {
      dropped[reason] = (dropped[reason] ?? 0) + 1;
      continue;
    }
    proposals.push({
      lineId: proposal.line_id,
      wordId: proposal.word_id,
      label: proposal.label as WordLabelName,
      reasoning: `${scope.step}: ${cleanReason(proposal.reason) || 'proposed by the model'}`,
    });
  }
  return { proposals, dropped };
}

export function addDropCounts(a: DropCounts, b: DropCounts): DropCounts {
  const sum: Partial<Record<DropReason, number>> = { ...a };
  for (const [reason, count] of Object.entries(b) as [DropReason, number][]) {
    sum[reason] = (sum[reason] ?? 0) + count;
  }
  return sum;
}

export function totalDropped(counts: DropCounts): number {
  return Object.values(counts).reduce((total, count) => total + (count ?? 0), 0);
}

/** Model text for a stored `reasoning`: one line, no control characters, bounded. */
export function cleanReason(reason: string | undefined): string {
  const line = (reason ?? '')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > MAX_REASON_CHARS ? `${line.slice(0, MAX_REASON_CHARS)}…` : line;
}

function dropReason(
  proposal: RawProposal,
  words: ReadonlyMap<string, string>,
  allowed: ReadonlySet<string>,
): DropReason | undefined {
  const { line_id: lineId, word_id: wordId, label } = proposal;
  if (!isPositiveInteger(lineId) || !isPositiveInteger(wordId)) return 'invalid_id';
  const text = words.get(`${lineId}.${wordId}`);
  if (text === undefined) return 'unknown_word';
  if (!isWordLabelName(label)) return 'unknown_label';
  if (!allowed.has(label)) return 'label_not_allowed';
  if (MONEY_LABELS.has(label) && !isAmountWord(words, lineId, wordId, text)) return 'not_an_amount';
  if (NUMERIC_LABELS.has(label) && !/\d/.test(text)) return 'not_a_number';
  return undefined;
}

/**
 * Whether a word is an amount (`12.88-`, `$25.01`), also when OCR ran a caption into it (`TOTAL:$81.47`) or split
 * it in two (`$ 116.34`, `8 .99`: each part is labelled with the amount).
 */
function isAmountWord(
  words: ReadonlyMap<string, string>,
  lineId: number,
  wordId: number,
  text: string,
): boolean {
  const before = words.get(`${lineId}.${wordId - 1}`) ?? '';
  const after = words.get(`${lineId}.${wordId + 1}`) ?? '';
  return [text, before + text, text + after].some(
    (candidate) => parseMoney(candidate.slice(candidate.lastIndexOf(':') + 1)) !== undefined,
  );
}

function wordTexts(lines: readonly PromptLine[]): Map<string, string> {
  return new Map(
    lines.flatMap((line) => line.words.map((w) => [`${line.lineId}.${w.wordId}`, w.text] as const)),
  );
}

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}
