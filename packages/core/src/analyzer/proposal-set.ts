import type { WordLabelName } from '../domain/label-vocabulary.js';
import type { LabelProposal } from '../ports/receipt-analyzer.js';
import type { LayoutWord } from './receipt-layout.js';

function keyOf(word: LayoutWord): string {
  return `${word.word.lineId}#${word.word.wordId}`;
}

/**
 * The labels found so far, at most one proposal per (word, label). A word normally plays one role: `claim`
 * labels it only while no other pass has, so the passes that run first (the more specific patterns) win.
 */
export class ProposalSet {
  readonly #labels = new Map<string, { word: LayoutWord; byLabel: Map<WordLabelName, string> }>();

  isClaimed(word: LayoutWord): boolean {
    return this.#labels.has(keyOf(word));
  }

  labelsOf(word: LayoutWord): WordLabelName[] {
    return [...(this.#labels.get(keyOf(word))?.byLabel.keys() ?? [])];
  }

  /** Labels the word unless it already carries a label. */
  claim(word: LayoutWord, label: WordLabelName, reasoning: string): void {
    if (!this.isClaimed(word)) this.add(word, label, reasoning);
  }

  /** Labels every word of a group that no pass has labelled yet. */
  claimAll(words: readonly LayoutWord[], label: WordLabelName, reasoning: string): void {
    for (const word of words) this.claim(word, label, reasoning);
  }

  /** Adds a label even to a word that has another one: for the rare word that plays two roles. */
  add(word: LayoutWord, label: WordLabelName, reasoning: string): void {
    const key = keyOf(word);
    const entry = this.#labels.get(key) ?? { word, byLabel: new Map<WordLabelName, string>() };
    if (!entry.byLabel.has(label)) entry.byLabel.set(label, reasoning);
    this.#labels.set(key, entry);
  }

  /**
   * The proposals in reading order. Words on line 0 or with word id 0 are left out: the existing services
   * cannot store a label on them. They still take part in the analysis (as context and as claims).
   */
  proposals(): LabelProposal[] {
    return [...this.#labels.values()]
      .filter(({ word }) => word.word.lineId > 0 && word.word.wordId > 0)
      .sort((a, b) => a.word.word.lineId - b.word.word.lineId || a.word.word.wordId - b.word.word.wordId)
      .flatMap(({ word, byLabel }) =>
        [...byLabel.entries()].map(([label, reasoning]) => ({
          lineId: word.word.lineId,
          wordId: word.word.wordId,
          label,
          reasoning,
        })),
      );
  }
}
