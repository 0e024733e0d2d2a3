import type { WordRef } from '../compaction/vector-ids.js';
import { isCompactionCompleted } from '../domain/compaction-run.js';
import { isDecidedStatus } from '../domain/label-validation-status.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import {
  compareWordLabels,
  distinctWordLabels,
  parseStoredWordLabel,
  parseWordLabel,
  type ReceiptWordLabel,
  wordLabelId,
} from '../domain/word-label.js';
import { CompactionNotCompletedError } from '../errors/compaction-not-completed-error.js';
import type { Clock } from '../ports/clock.js';
import type { LabelRepository, SaveLabelsOptions, SaveLabelsResult } from '../ports/label-repository.js';
import { FaultInjector } from './fault-injector.js';
import type { InMemoryCompactionRunRepository } from './in-memory-compaction-run-repository.js';

export interface InMemoryLabelRepositoryOptions {
  /** The runs a guarded write checks (with `peek`, so the check counts no read, as it is not a gate poll). */
  readonly runs: InMemoryCompactionRunRepository;
  /** With a clock, each logged write carries the time it was made. */
  readonly clock?: Clock;
}

/** One saveLabels call that reached the store (past fault injection and validation). */
export interface LabelWrite {
  readonly at?: number;
  /** The call's distinct proposals, as validated. */
  readonly labels: ReceiptWordLabel[];
  /** Made with `requireCompleted`. */
  readonly guarded: boolean;
  /** False when the guard refused the call, so nothing was written. */
  readonly applied: boolean;
}

/**
 * LabelRepository in memory, with the DynamoDB adapter's semantics: existing items are never changed, and a
 * guarded write checks the run at write time and is all-or-nothing. Logs every write for ordering proofs.
 */
export class InMemoryLabelRepository implements LabelRepository {
  readonly writeFaults = new FaultInjector();
  readonly writes: LabelWrite[] = [];
  readonly #labels = new Map<string, ReceiptWordLabel>();
  readonly #options: InMemoryLabelRepositoryOptions;

  constructor(options: InMemoryLabelRepositoryOptions) {
    this.#options = options;
  }

  async saveLabels(
    labels: readonly ReceiptWordLabel[],
    options: SaveLabelsOptions = {},
  ): Promise<SaveLabelsResult> {
    await this.writeFaults.apply('saveLabels');
    const proposals = distinctWordLabels(labels.map((label) => parseWordLabel(label)));
    const guard = options.requireCompleted;
    const run = guard && this.#options.runs.peek(guard);
    const applied = guard === undefined || (run !== undefined && isCompactionCompleted(run));
    const at = this.#options.clock?.now();
    this.writes.push({
      ...(at === undefined ? {} : { at }),
      labels: proposals,
      guarded: guard !== undefined,
      applied,
    });
    if (guard && !applied) throw new CompactionNotCompletedError(guard);

    const written: ReceiptWordLabel[] = [];
    const alreadyPresent: ReceiptWordLabel[] = [];
    const frozen: ReceiptWordLabel[] = [];
    for (const proposal of proposals) {
      const existing = this.#labels.get(wordLabelId(proposal));
      if (existing === undefined) {
        this.#labels.set(wordLabelId(proposal), proposal);
        written.push({ ...proposal });
      } else if (isDecidedStatus(existing.validationStatus)) {
        frozen.push({ ...proposal });
      } else {
        alreadyPresent.push({ ...proposal });
      }
    }
    return { written, alreadyPresent, frozen };
  }

  /** Labels of one receipt, ordered by line, word and label name (the order of their keys in the table). */
  async getLabels(receipt: ReceiptRef): Promise<ReceiptWordLabel[]> {
    return [...this.#labels.values()]
      .filter((label) => label.imageId === receipt.imageId && label.receiptId === receipt.receiptId)
      .sort(compareWordLabels)
      .map((label) => ({ ...label }));
  }

  /** Labels of one word, ordered by label name. */
  async getWordLabels(word: WordRef): Promise<ReceiptWordLabel[]> {
    const labels = await this.getLabels(word);
    return labels.filter((label) => label.lineId === word.lineId && label.wordId === word.wordId);
  }

  /**
   * Stores a label as given, replacing any item with its identity: seeds labels someone else wrote (any label
   * name, as other services may write).
   */
  put(label: ReceiptWordLabel): void {
    const parsed = parseStoredWordLabel(label);
    this.#labels.set(wordLabelId(parsed), parsed);
  }

  /** The stored label with this identity (for InMemoryReceiptVersionStore and assertions). */
  peek(label: Pick<ReceiptWordLabel, 'imageId' | 'receiptId' | 'lineId' | 'wordId' | 'label'>) {
    const stored = this.#labels.get(wordLabelId(label));
    return stored && { ...stored };
  }

  /** Removes the label with this identity, if any. */
  remove(label: Pick<ReceiptWordLabel, 'imageId' | 'receiptId' | 'lineId' | 'wordId' | 'label'>): void {
    this.#labels.delete(wordLabelId(label));
  }
}
