import type { SampleReceipt } from '@receipt-gate/core/testing';
import type {
  Counts,
  LabelEvaluation,
  LabelMistake,
  LabelScores,
  Scores,
} from '../src/evaluation/evaluate-labels.js';
import { scoresOf } from '../src/evaluation/evaluate-labels.js';
import type { ReceiptSplit } from '../src/evaluation/receipt-split.js';
import type { CrossValidationRecord } from './cross-validation-record.js';

/** A named group of sample receipts scored on its own. */
export interface ReceiptSet {
  /** Used on the command line (`--min-f1 varied=0.9`). */
  readonly key: string;
  readonly title: string;
  /** Where the set comes from and what it is for, one sentence. */
  readonly about: string;
  readonly samples: readonly SampleReceipt[];
}

export interface ReportHeader {
  readonly command: string;
  readonly sets: readonly ReceiptSet[];
  readonly generatedAt: Date;
  readonly runTimeMs: number;
  /** The offline analyzer's F1 floor per set key, from `--min-f1`. */
  readonly floors: ReadonlyMap<string, number>;
}

/** One analyzer on one set. */
export interface ReportSection {
  readonly title: string;
  readonly evaluation: LabelEvaluation;
}

/** A line of the summary table: an analyzer's micro scores over a group of receipts. */
export interface SummaryRow {
  readonly analyzer: string;
  readonly receipts: string;
  readonly count: number;
  readonly scores: Scores;
}

/** The halves, the recorded measurements and the current analyzer's scores on the sets and both halves. */
export interface CrossValidationView {
  readonly split: ReceiptSplit;
  readonly record: CrossValidationRecord;
  readonly current: {
    readonly sets: Readonly<Record<string, Scores>>;
    readonly development: Scores;
    readonly heldOut: Scores;
  };
}

export interface ReportBody {
  readonly summary: readonly SummaryRow[];
  readonly crossValidation?: CrossValidationView;
  readonly sections: readonly ReportSection[];
}

const WEAKEST_SHOWN = 3;
// Enough to see what goes wrong; a badly failing model would otherwise list hundreds.
const MISTAKES_SHOWN = 20;

const score = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(3));
const escapeCell = (text: string) => text.replaceAll('|', '\\|');
const ms = (value: number) => (value < 10 ? value.toFixed(1) : String(Math.round(value)));

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const scoreCells = (s: Scores) => [
  String(s.support),
  String(s.proposed),
  String(s.truePositives),
  String(s.falsePositives),
  String(s.falseNegatives),
  score(s.precision),
  score(s.recall),
  score(s.f1),
];
const SCORE_HEADER = ['Support', 'Proposed', 'TP', 'FP', 'FN', 'Precision', 'Recall', 'F1'];

function labelsTable(evaluation: LabelEvaluation): string {
  return table(
    ['Label', ...SCORE_HEADER],
    [
      ...evaluation.labels.map((label) => [`\`${label.label}\``, ...scoreCells(label)]),
      ['**micro average**', ...scoreCells(evaluation.micro).map((cell) => `**${cell}**`)],
    ],
  );
}

function receiptsTable(evaluation: LabelEvaluation): string {
  return table(
    ['Receipt', 'Produced by', ...SCORE_HEADER, 'Time (ms)'],
    evaluation.receipts.map((r) => [
      r.receipt,
      r.error === undefined ? `\`${r.producedBy}\`` : `**failed**: ${escapeCell(r.error)}`,
      ...scoreCells(r),
      ms(r.durationMs),
    ]),
  );
}

function mistakesList(mistakes: readonly LabelMistake[]): string {
  if (mistakes.length === 0) return 'No mistakes.';
  const shown = mistakes.slice(0, MISTAKES_SHOWN);
  const intro =
    shown.length < mistakes.length ? `Mistakes (first ${shown.length} of ${mistakes.length}):` : 'Mistakes:';
  return `${intro}

${table(
  ['Receipt', 'Line', 'Word', 'Text', 'Label', 'Kind'],
  shown.map((m) => [
    m.receipt,
    String(m.lineId),
    String(m.wordId),
    m.text === undefined ? '(no such word)' : `\`${escapeCell(m.text)}\``,
    `\`${m.label}\``,
    m.kind,
  ]),
)}`;
}

/** What most of a label's errors are: words it missed, or words it took for something else. */
function errorKind(label: LabelScores): string {
  if (label.support === 0) return `proposed ${label.falsePositives} time(s), never in the ground truth`;
  const missed = `${label.falseNegatives} of ${label.support} missed`;
  const spurious = `${label.falsePositives} spurious`;
  return label.falseNegatives >= label.falsePositives ? `${missed}, ${spurious}` : `${spurious}, ${missed}`;
}

/** Sentences drawn from the numbers, so they change when the analyzer or the fixtures do. */
function interpretation(evaluation: LabelEvaluation): string {
  const { micro, labels, receipts } = evaluation;
  const perfect = labels.filter((label) => label.f1 === 1);
  const weakest = labels
    .filter((label) => label.f1 !== 1)
    .sort((a, b) => (a.f1 ?? 0) - (b.f1 ?? 0) || b.support - a.support)
    .slice(0, WEAKEST_SHOWN);
  const failed = receipts.filter((r) => r.error !== undefined);
  const sentences = [
    `Over ${micro.support} ground-truth labels and ${micro.proposed} distinct proposals, micro precision is ` +
      `${score(micro.precision)}, recall ${score(micro.recall)}, F1 ${score(micro.f1)}; ` +
      `${perfect.length} of ${labels.length} labels are perfect.`,
    weakest.length === 0
      ? 'Every label is perfect.'
      : `Weakest by F1: ${weakest.map((label) => `\`${label.label}\` (F1 ${score(label.f1)}: ${errorKind(label)})`).join('; ')}.`,
  ];
  if (failed.length > 0) {
    sentences.push(
      `${failed.length} of ${receipts.length} analyses failed; their ground truth counts as missed.`,
    );
  }
  return sentences.join(' ');
}

function section({ title, evaluation }: ReportSection): string {
  return `## ${title}

${interpretation(evaluation)}

${labelsTable(evaluation)}

Per receipt:

${receiptsTable(evaluation)}

${mistakesList(evaluation.mistakes)}
`;
}

function setDescription(set: ReceiptSet): string {
  const words = set.samples.reduce((sum, sample) => sum + sample.words.length, 0);
  const labels = set.samples.reduce((sum, sample) => sum + sample.groundTruth.length, 0);
  return `**${set.title}** (\`${set.key}\`: ${set.samples.length} receipts, ${words} words, ${labels} ground-truth labels):
${set.about}
${set.samples.map((sample) => `- ${sample.name}`).join('\n')}`;
}

function summaryTable(rows: readonly SummaryRow[]): string {
  return table(
    ['Analyzer', 'Receipts', 'Count', ...SCORE_HEADER],
    rows.map((row) => [`\`${row.analyzer}\``, row.receipts, String(row.count), ...scoreCells(row.scores)]),
  );
}

function floorsSentence({ sets, floors }: ReportHeader): string {
  const given = sets.filter((set) => floors.has(set.key));
  if (given.length === 0) return '';
  const list = given.map((set) => `${floors.get(set.key)} on the ${set.title.toLowerCase()}`).join(', ');
  return `The command fails when the offline analyzer's micro F1 falls below ${list} (\`--min-f1\`).`;
}

function crossValidationSection(sets: readonly ReceiptSet[], view: CrossValidationView): string {
  const { split, record, current } = view;
  const developmentNames = split.development.map((s) => s.name);
  const heldOutNames = split.heldOut.map((s) => s.name);
  const setCells = (scoresOfSet: (key: string) => Scores | undefined) =>
    sets.map((set) => score(scoresOfSet(set.key)?.f1));
  const rows = record.measurements.map((m) => {
    const heldOut = scoresOf([m.heldOut]);
    return [
      m.stage,
      `\`${m.commit}\``,
      ...setCells((key) => {
        const counts = m.sets[key];
        return counts && scoresOf([counts]);
      }),
      score(scoresOf([m.development]).f1),
      score(heldOut.precision),
      score(heldOut.recall),
      `**${score(heldOut.f1)}**`,
    ];
  });
  rows.push([
    'now (later rules were developed on every receipt: not a held-out figure)',
    'this run',
    ...setCells((key) => current.sets[key]),
    score(current.development.f1),
    score(current.heldOut.precision),
    score(current.heldOut.recall),
    score(current.heldOut.f1),
  ]);
  const header = [
    'Measured',
    'Analyzer at',
    ...sets.map((set) => `${set.title} F1`),
    'Development F1',
    'Held-out precision',
    'Held-out recall',
    'Held-out F1',
  ];
  return `## Cross-validation: rules developed on one half, scored on the other

All ${developmentNames.length + heldOutNames.length} receipts are cut into two halves by \`splitReceipts\`
(\`apps/cli/src/evaluation/receipt-split.ts\`). The analyzer was first written alongside the original receipts,
so they all belong to the development half; it is filled up to half of all receipts with the varied receipts that
come first when ranked by the SHA-256 of their image and receipt ids (nobody chose them), and the other
${heldOutNames.length} varied receipts are held out.

The procedure: every varied receipt was written and labelled, and committed, before the analyzer was run on any
of them. The analyzer was then scored once on each half (the baseline). One round of general rules was developed
by looking only at the development half's mistakes; the held-out half was scored as one aggregate figure only,
never read receipt by receipt. The held-out figure after that round is the cross-validation figure. Later rounds
looked at every receipt, so the current analyzer's held-out score is shown for comparison only. Each recorded
figure is what \`pnpm eval\` prints for the held-out half at the commit shown. A caveat: the receipts and the
rules were written by the same hand, so the held-out layouts were known, though not how the analyzer did on them.

${table(header, rows)}

The current scores on both sets measure agreement on receipts the rules have since been developed on; for
receipts from elsewhere, the held-out figure after round 1 is the better guide.

Development half (${developmentNames.length}): ${developmentNames.join('; ')}.

Held-out half (${heldOutNames.length}): ${heldOutNames.join('; ')}.
`;
}

export function renderReport(header: ReportHeader, body: ReportBody): string {
  return `# Word labels against the hand-labelled sample receipts

Generated by \`${header.command}\` (\`apps/cli/eval/eval.ts\`) on ${header.generatedAt.toISOString()}, in
${(header.runTimeMs / 1000).toFixed(2)} s of wall time. This file is overwritten by each run; do not edit it by hand.

${header.sets.map(setDescription).join('\n\n')}

The ground truth is hand-written in the fixture files (one label code under each word of a line), not produced by
any analyzer, and both sets follow the same conventions.

A proposal is right when its (line, word, label) is in the ground truth; a word may carry two labels; a triple
proposed or written twice counts once. Support is the number of ground-truth labels, Proposed the number of
distinct proposals; a ratio with a zero denominator is n/a; micro averages sum the counts over the receipts.
Labels neither in the ground truth nor proposed are left out. With \`OLLAMA_HOST\` set, the same command also
evaluates the LLM analyzer; its results are printed but never written to \`docs/benchmarks/labels.md\`, as they
depend on the model and the host.

## Summary

${[summaryTable(body.summary), floorsSentence(header)].filter(Boolean).join('\n\n')}

${body.crossValidation ? `${crossValidationSection(header.sets, body.crossValidation)}\n` : ''}${body.sections.map(section).join('\n')}`;
}

/** Micro scores over the named receipts of the given evaluations. */
export function scoresOfReceipts(
  evaluations: readonly LabelEvaluation[],
  samples: readonly SampleReceipt[],
): Scores {
  const names = new Set(samples.map((sample) => sample.name));
  const counts: Counts[] = evaluations.flatMap((e) => e.receipts).filter((r) => names.has(r.receipt));
  return scoresOf(counts);
}
