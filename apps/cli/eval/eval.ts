// pnpm eval: scores the offline analyzer, and the LLM analyzer when OLLAMA_HOST is set, against the hand-written
// labels of the sample receipts; prints the report and writes the offline part to docs/benchmarks/labels.md.
// A quality report, not a gate: exits 0 unless the evaluation itself fails or --min-f1 is not reached.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NOOP_TELEMETRY, OfflineReceiptAnalyzer, type ReceiptAnalyzer } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS, VARIED_SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { LazyLlmAnalyzer, ollamaConfigFromEnv } from '@receipt-gate/lambda';
import {
  type EvaluateOptions,
  evaluateLabels,
  type LabelEvaluation,
} from '../src/evaluation/evaluate-labels.js';
import { splitReceipts } from '../src/evaluation/receipt-split.js';
import { CROSS_VALIDATION_RECORD } from './cross-validation-record.js';
import {
  type CrossValidationView,
  type ReceiptSet,
  type ReportSection,
  renderReport,
  type SummaryRow,
  scoresOfReceipts,
} from './report.js';

const COMMAND = 'pnpm eval';
const REPORT_PATH = resolve(import.meta.dirname, '../../../docs/benchmarks/labels.md');
// After its budget, the LLM analyzer returns what its finished steps proposed; past this, the receipt has failed.
const LLM_SETTLE_MS = 5_000;

const SETS: readonly ReceiptSet[] = [
  {
    key: 'original',
    title: 'Original set',
    about:
      'the `SAMPLE_RECEIPTS` of `@receipt-gate/core/testing`, which the offline analyzer was first written alongside.',
    samples: SAMPLE_RECEIPTS,
  },
  {
    key: 'varied',
    title: 'Varied set',
    about:
      'the `VARIED_SAMPLE_RECEIPTS`, of layouts the analyzer was not first written for, all labelled before it was run on any of them.',
    samples: VARIED_SAMPLE_RECEIPTS,
  },
];

const USAGE = `Usage: eval [--min-f1 [SET=]X]... [--json]

Scores the offline analyzer's word labels against the hand-written labels of the sample receipts (the sets
${SETS.map((set) => set.key).join(' and ')}, and the two halves of the cross-validation), and the LLM analyzer's too
when OLLAMA_HOST is set; prints the report and writes the offline part to docs/benchmarks/labels.md. The LLM
analyzer runs with the handlers' OLLAMA_* settings: each receipt gets its analysis budget
(OLLAMA_ANALYSIS_BUDGET_MS, or that of OLLAMA_PROFILE; local-cpu for a model on this machine's CPU).
  --min-f1  exit 1 when the offline analyzer's micro-averaged F1 on a set is below X (0 to 1): SET=X for one
            set, X alone for every set; may be repeated
  --json    print the summary rows (scores per analyzer and set) and the failures as JSON instead of the report`;

/** The LLM analyzer, the time it may take per receipt, and its settings to print (never the key). */
interface LlmUnderTest {
  readonly analyzer: ReceiptAnalyzer;
  readonly analysisBudgetMs: number;
  readonly settings: string;
}

/** Builds the LLM analyzer from the environment; called only when OLLAMA_HOST is set. */
type LlmAnalyzerFactory = (env: NodeJS.ProcessEnv) => LlmUnderTest | Promise<LlmUnderTest>;

const log = (line: string) => console.error(`eval: ${line}`);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const f1Of = (evaluation: LabelEvaluation) => evaluation.micro.f1?.toFixed(3) ?? 'n/a';

// pnpm passes a literal `--` through when given one.
const readArgs = (argv: readonly string[]) =>
  parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      'min-f1': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });

/** The F1 floor of each set from `--min-f1` values, or the bad value. */
function readFloors(values: readonly string[]): Map<string, number> | string {
  const floors = new Map<string, number>();
  for (const value of values) {
    const [key, raw] = value.includes('=') ? value.split('=', 2) : [undefined, value];
    const floor = raw?.trim() === '' ? Number.NaN : Number(raw);
    const sets = key === undefined ? SETS : SETS.filter((set) => set.key === key?.trim());
    if (sets.length === 0 || !(floor >= 0 && floor <= 1)) return value;
    for (const set of sets) floors.set(set.key, floor);
  }
  return floors;
}

/** One analyzer over every set, in turn. */
async function evaluateSets(
  analyzer: ReceiptAnalyzer,
  title: string,
  options: EvaluateOptions = {},
): Promise<ReportSection[]> {
  const sections: ReportSection[] = [];
  for (const set of SETS) {
    const startedAt = performance.now();
    const evaluation = await evaluateLabels(analyzer, set.samples, options);
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(2);
    log(
      `${analyzer.name}: micro F1 ${f1Of(evaluation)} over the ${set.samples.length} receipts of the ${set.key} set in ${seconds} s`,
    );
    sections.push({ title: `${title} on the ${set.title.toLowerCase()}`, evaluation });
  }
  return sections;
}

function summaryRows(analyzer: string, sections: readonly ReportSection[]): SummaryRow[] {
  return sections.map((section, i) => ({
    analyzer,
    receipts: SETS[i]?.title ?? '',
    count: section.evaluation.receipts.length,
    scores: section.evaluation.micro,
  }));
}

async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  llmAnalyzerFromEnv?: LlmAnalyzerFactory,
): Promise<number> {
  let values: ReturnType<typeof readArgs>['values'];
  try {
    ({ values } = readArgs(argv));
  } catch (error) {
    console.error(`${USAGE}\n\n${messageOf(error)}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const floors = readFloors(values['min-f1'] ?? []);
  if (typeof floors === 'string') {
    console.error(`${USAGE}\n\nbad argument: --min-f1 ${floors}`);
    return 2;
  }

  const startedAt = performance.now();
  const header = () => ({
    command: COMMAND,
    sets: SETS,
    floors,
    generatedAt: new Date(),
    runTimeMs: performance.now() - startedAt,
  });
  const offlineAnalyzer = new OfflineReceiptAnalyzer();
  const offline = await evaluateSets(offlineAnalyzer, `Offline analyzer (\`${offlineAnalyzer.name}\`)`);
  const evaluations = offline.map((section) => section.evaluation);
  const split = splitReceipts(SAMPLE_RECEIPTS, VARIED_SAMPLE_RECEIPTS);
  const crossValidation: CrossValidationView = {
    split,
    record: CROSS_VALIDATION_RECORD,
    current: {
      sets: Object.fromEntries(offline.map((section, i) => [SETS[i]?.key, section.evaluation.micro])),
      development: scoresOfReceipts(evaluations, split.development),
      heldOut: scoresOfReceipts(evaluations, split.heldOut),
    },
  };
  const summary: SummaryRow[] = [
    ...summaryRows(offlineAnalyzer.name, offline),
    {
      analyzer: offlineAnalyzer.name,
      receipts: 'Development half',
      count: split.development.length,
      scores: crossValidation.current.development,
    },
    {
      analyzer: offlineAnalyzer.name,
      receipts: 'Held-out half',
      count: split.heldOut.length,
      scores: crossValidation.current.heldOut,
    },
  ];
  log(
    `${offlineAnalyzer.name}: micro F1 ${crossValidation.current.development.f1?.toFixed(3)} on the development half, ${crossValidation.current.heldOut.f1?.toFixed(3)} on the held-out half`,
  );
  const offlineReport = renderReport(header(), { summary, crossValidation, sections: offline });
  mkdirSync(dirname(REPORT_PATH), { recursive: true });
  writeFileSync(REPORT_PATH, offlineReport);
  log(`wrote ${relative(process.cwd(), REPORT_PATH)}`);

  const failures: string[] = [];
  const crashed = evaluations.flatMap((e) => e.receipts).filter((r) => r.error !== undefined);
  // The offline analyzer is deterministic and never expected to throw: a crash is a bug, not a quality figure.
  if (crashed.length > 0) {
    failures.push(
      `the offline analyzer failed on ${crashed.map((r) => `${r.receipt} (${r.error})`).join(', ')}`,
    );
  }
  offline.forEach((section, i) => {
    const set = SETS[i];
    const floor = set && floors.get(set.key);
    if (set && floor !== undefined && (section.evaluation.micro.f1 ?? 0) < floor) {
      failures.push(
        `the offline analyzer's micro F1 ${f1Of(section.evaluation)} on the ${set.key} set is below --min-f1 ${floor}`,
      );
    }
  });
  const recorded = CROSS_VALIDATION_RECORD;
  const heldOutNow = split.heldOut.map((sample) => sample.name);
  if (
    recorded.measurements.length > 0 &&
    JSON.stringify([...recorded.heldOut].sort()) !== JSON.stringify([...heldOutNow].sort())
  ) {
    failures.push('the held-out half is not the one the cross-validation record was measured on');
  }

  const sections = [...offline];
  const rows = [...summary];
  if (!env.OLLAMA_HOST) {
    log('LLM analyzer: skipped (set OLLAMA_HOST to evaluate it against a real Ollama)');
  } else if (!llmAnalyzerFromEnv) {
    failures.push('OLLAMA_HOST is set but no LLM analyzer is wired into apps/cli/eval/eval.ts yet');
  } else {
    try {
      const { analyzer, analysisBudgetMs, settings } = await llmAnalyzerFromEnv(env);
      log(`LLM analyzer: ${settings}`);
      const model = env.OLLAMA_MODEL ? `, model \`${env.OLLAMA_MODEL}\`` : '';
      const llm = await evaluateSets(analyzer, `LLM analyzer (\`${analyzer.name}\`${model})`, {
        timeoutMs: analysisBudgetMs,
        graceMs: LLM_SETTLE_MS,
      });
      sections.push(...llm);
      rows.push(...summaryRows(analyzer.name, llm));
    } catch (error) {
      failures.push(`the LLM analyzer could not be evaluated: ${messageOf(error)}`);
    }
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ command: COMMAND, summary: rows, failures }, null, 2)}\n`);
  } else {
    process.stdout.write(
      sections.length === offline.length
        ? offlineReport
        : renderReport(header(), { summary: rows, crossValidation, sections }),
    );
  }

  if (failures.length > 0) {
    console.error(`eval: FAILED\n${failures.map((failure) => `  ${failure}`).join('\n')}`);
    return 1;
  }
  return 0;
}

/** The LLM analyzer as the handlers build it from OLLAMA_* (tracing off: an evaluation is not production traffic). */
const llmAnalyzerFromEnv = (env: NodeJS.ProcessEnv): LlmUnderTest => {
  const config = ollamaConfigFromEnv(env);
  return {
    analyzer: new LazyLlmAnalyzer(config, { enabled: false }, NOOP_TELEMETRY),
    analysisBudgetMs: config.analysisBudgetMs,
    settings: JSON.stringify(config),
  };
};

/** `eval` as the CLI runs it: the LLM analyzer is evaluated too when OLLAMA_HOST is set. */
export const runEval = (argv: readonly string[]): Promise<number> =>
  main(argv, process.env, llmAnalyzerFromEnv);
