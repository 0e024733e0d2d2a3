import {
  type LabelProposal,
  type ReceiptAnalysis,
  type ReceiptAnalysisInput,
  type ReceiptAnalyzer,
  WORD_LABELS,
  type WordLabelName,
} from '@receipt-gate/core';
import type { SampleReceipt } from '@receipt-gate/core/testing';

/** (line, word, label) triples compared with the ground truth. */
export interface Counts {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
}

/** Counts and their ratios; a ratio is `undefined` when its denominator is zero. */
export interface Scores extends Counts {
  /** Ground-truth labels: true positives plus false negatives. */
  readonly support: number;
  /** Distinct proposals: true positives plus false positives. */
  readonly proposed: number;
  readonly precision: number | undefined;
  readonly recall: number | undefined;
  /** 2TP / (2TP + FP + FN), so a label only missed or only proposed wrongly scores 0 rather than nothing. */
  readonly f1: number | undefined;
}

export interface LabelScores extends Scores {
  readonly label: WordLabelName;
}

export interface ReceiptScores extends Scores {
  readonly receipt: string;
  /** The analysis's own name, which differs from the analyzer's when a fallback produced it. */
  readonly producedBy: string | undefined;
  readonly durationMs: number;
  /** Why the analysis failed; its ground truth then counts as missed. */
  readonly error?: string;
}

/** A ground-truth label not proposed (missed), or a proposal not in the ground truth (spurious). */
export interface LabelMistake {
  readonly receipt: string;
  readonly lineId: number;
  readonly wordId: number;
  readonly label: WordLabelName;
  readonly kind: 'missed' | 'spurious';
  /** Undefined when a proposal names a word the receipt does not have. */
  readonly text: string | undefined;
}

export interface LabelEvaluation {
  readonly analyzer: string;
  /** In vocabulary order; a label neither in the ground truth nor proposed is left out. */
  readonly labels: readonly LabelScores[];
  readonly receipts: readonly ReceiptScores[];
  /** Over every (line, word, label) of every receipt. */
  readonly micro: Scores;
  /** In receipt order, then reading order; a failed receipt's ground truth is counted as missed but not listed. */
  readonly mistakes: readonly LabelMistake[];
}

export interface EvaluateOptions {
  /** Per receipt: the analyzer gets a signal and a deadline, and a receipt not analysed in time has failed. */
  readonly timeoutMs?: number;
  /** How long past its deadline an analysis may take to return what it has, before it counts as failed. */
  readonly graceMs?: number;
}

type LabelKey = Pick<LabelProposal, 'lineId' | 'wordId' | 'label'>;

const keyOf = (l: LabelKey) => `${l.lineId}#${l.wordId}#${l.label}`;

/** One entry per distinct (line, word, label): an analyzer saying the same thing twice is right (or wrong) once. */
function distinct(labels: readonly LabelKey[]): Map<string, LabelKey> {
  return new Map(labels.map((l) => [keyOf(l), l]));
}

const ratio = (part: number, whole: number) => (whole === 0 ? undefined : part / whole);

const OUTCOMES = ['tp', 'fp', 'fn'] as const;
type Outcome = (typeof OUTCOMES)[number];

function scores({ tp, fp, fn }: Readonly<Record<Outcome, number>>): Scores {
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    support: tp + fn,
    proposed: tp + fp,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
  };
}

/**
 * Micro-averaged scores over a group of receipts (a set or a half of one) from their own counts: summing the
 * counts is what a single evaluation over that group would give.
 */
export function scoresOf(receipts: readonly Counts[]): Scores {
  const sum = (pick: (counts: Counts) => number) => receipts.reduce((acc, counts) => acc + pick(counts), 0);
  return scores({
    tp: sum((c) => c.truePositives),
    fp: sum((c) => c.falsePositives),
    fn: sum((c) => c.falseNegatives),
  });
}

class Tally {
  readonly #byLabel = new Map<WordLabelName, Record<Outcome, number>>();

  count(label: WordLabelName, outcome: Outcome, n = 1): void {
    const entry = this.#byLabel.get(label) ?? { tp: 0, fp: 0, fn: 0 };
    entry[outcome] += n;
    this.#byLabel.set(label, entry);
  }

  add(other: Tally): void {
    for (const [label, c] of other.#byLabel)
      for (const outcome of OUTCOMES) this.count(label, outcome, c[outcome]);
  }

  labels(): LabelScores[] {
    return [...this.#byLabel]
      .sort(([a], [b]) => WORD_LABELS.indexOf(a) - WORD_LABELS.indexOf(b))
      .map(([label, c]) => ({ label, ...scores(c) }));
  }

  total(): Scores {
    const sum = (outcome: Outcome) => [...this.#byLabel.values()].reduce((acc, c) => acc + c[outcome], 0);
    return scores({ tp: sum('tp'), fp: sum('fp'), fn: sum('fn') });
  }
}

/** Compares one receipt's proposals with its ground truth. */
function compare(
  sample: SampleReceipt,
  proposals: readonly LabelKey[],
): { tally: Tally; mistakes: LabelMistake[] } {
  const expected = distinct(sample.groundTruth);
  const proposed = distinct(proposals);
  const tally = new Tally();
  const mistakes: LabelMistake[] = [];
  const mistake = (l: LabelKey, kind: LabelMistake['kind']) =>
    mistakes.push({
      receipt: sample.name,
      lineId: l.lineId,
      wordId: l.wordId,
      label: l.label,
      kind,
      text: sample.words.find((w) => w.lineId === l.lineId && w.wordId === l.wordId)?.text,
    });
  for (const [key, l] of proposed) {
    const right = expected.has(key);
    tally.count(l.label, right ? 'tp' : 'fp');
    if (!right) mistake(l, 'spurious');
  }
  for (const [key, l] of expected) {
    if (proposed.has(key)) continue;
    tally.count(l.label, 'fn');
    mistake(l, 'missed');
  }
  mistakes.sort((a, b) => a.lineId - b.lineId || a.wordId - b.wordId);
  return { tally, mistakes };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Aborts the analysis at the deadline and stops waiting for it: an analyzer that ignores its signal must not
 * hang the evaluation, and a pending timer keeps the process alive until then (AbortSignal.timeout's does not).
 */
async function analyzeWithin(
  analyzer: ReceiptAnalyzer,
  input: ReceiptAnalysisInput,
  timeoutMs: number,
  graceMs: number,
): Promise<ReceiptAnalysis> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const limitMs = timeoutMs + graceMs;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = new Error(`no analysis within ${limitMs} ms`);
      controller.abort(reason);
      reject(reason);
    }, limitMs);
  });
  try {
    return await Promise.race([
      analyzer.analyze(input, { signal: controller.signal, deadlineAt: Date.now() + timeoutMs }),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the analyzer on each sample in turn (so per-receipt times are its own) and scores its proposals against
 * the hand-written ground truth. A receipt whose analysis fails is recorded, not thrown: for a model that times
 * out now and then, the failures are part of its quality.
 */
export async function evaluateLabels(
  analyzer: ReceiptAnalyzer,
  samples: readonly SampleReceipt[],
  options: EvaluateOptions = {},
): Promise<LabelEvaluation> {
  const overall = new Tally();
  const receipts: ReceiptScores[] = [];
  const mistakes: LabelMistake[] = [];
  for (const sample of samples) {
    // Built field by field: the sample also carries its ground truth, which an analyzer must never see.
    const input: ReceiptAnalysisInput = {
      receipt: { imageId: sample.imageId, receiptId: sample.receiptId },
      lines: sample.lines,
      words: sample.words,
      metadata: sample.metadata,
    };
    const { timeoutMs, graceMs = 0 } = options;
    const startedAt = performance.now();
    let outcome: { proposals: readonly LabelProposal[]; producedBy?: string; error?: string };
    try {
      const analysis =
        timeoutMs === undefined
          ? await analyzer.analyze(input)
          : await analyzeWithin(analyzer, input, timeoutMs, graceMs);
      outcome = { proposals: analysis.proposals, producedBy: analysis.analyzer };
    } catch (error) {
      outcome = { proposals: [], error: message(error) };
    }
    const durationMs = performance.now() - startedAt;
    const compared = compare(sample, outcome.proposals);
    overall.add(compared.tally);
    if (outcome.error === undefined) mistakes.push(...compared.mistakes);
    receipts.push({
      receipt: sample.name,
      producedBy: outcome.producedBy,
      durationMs,
      ...compared.tally.total(),
      ...(outcome.error !== undefined && { error: outcome.error }),
    });
  }
  return { analyzer: analyzer.name, labels: overall.labels(), receipts, micro: overall.total(), mistakes };
}
