// pnpm eval: scores the offline analyzer, and the LLM analyzer when OLLAMA_HOST is set, against the hand-written
// labels of the sample receipts; prints the report and writes the offline part to docs/benchmarks/labels.md.
// A quality report, not a gate: exits 0 unless the evaluation itself fails or --min-f1 is not reached.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NOOP_TELEMETRY, OfflineReceiptAnalyzer, type ReceiptAnalyzer } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { LazyLlmAnalyzer, ollamaConfigFromEnv } from '@receipt-gate/lambda';
import { evaluateLabels, type LabelEvaluation } from '../src/evaluation/evaluate-labels.js';
import { type ReportSection, renderReport } from './report.js';

const COMMAND = 'pnpm eval';
const REPORT_PATH = resolve(import.meta.dirname, '../../../docs/benchmarks/labels.md');
// A local model on a CPU can take a minute on a long receipt; past two, the receipt counts as failed.
const LLM_TIMEOUT_MS = 120_000;

const USAGE = `Usage: eval [--min-f1 X]

Scores the offline analyzer's word labels against the hand-written labels of the sample receipts, and the LLM
analyzer's too when OLLAMA_HOST is set; prints the report and writes the offline part to
docs/benchmarks/labels.md.
  --min-f1  exit 1 when the offline analyzer's micro-averaged F1 is below X (0 to 1)`;

/** Builds the LLM analyzer from the environment; called only when OLLAMA_HOST is set. */
type LlmAnalyzerFactory = (env: NodeJS.ProcessEnv) => ReceiptAnalyzer | Promise<ReceiptAnalyzer>;

const log = (line: string) => console.error(`eval: ${line}`);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const f1Of = (evaluation: LabelEvaluation) => evaluation.micro.f1?.toFixed(3) ?? 'n/a';

// pnpm passes a literal `--` through when given one.
const readArgs = (argv: readonly string[]) =>
  parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: { 'min-f1': { type: 'string' }, help: { type: 'boolean', default: false } },
  });

async function evaluate(
  title: string,
  analyzer: ReceiptAnalyzer,
  timeoutMs?: number,
): Promise<ReportSection> {
  const startedAt = performance.now();
  const evaluation = await evaluateLabels(
    analyzer,
    SAMPLE_RECEIPTS,
    timeoutMs === undefined ? {} : { timeoutMs },
  );
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(2);
  log(
    `${analyzer.name}: micro F1 ${f1Of(evaluation)} over ${SAMPLE_RECEIPTS.length} receipts in ${seconds} s`,
  );
  return { title, evaluation };
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
  const rawMinF1 = values['min-f1']?.trim();
  const minF1 = rawMinF1 === undefined ? undefined : rawMinF1 === '' ? Number.NaN : Number(rawMinF1);
  if (minF1 !== undefined && !(minF1 >= 0 && minF1 <= 1)) {
    console.error(`${USAGE}\n\nbad argument: --min-f1 ${values['min-f1']}`);
    return 2;
  }

  const startedAt = performance.now();
  const header = () => ({
    command: COMMAND,
    samples: SAMPLE_RECEIPTS,
    generatedAt: new Date(),
    runTimeMs: performance.now() - startedAt,
  });
  const offlineAnalyzer = new OfflineReceiptAnalyzer();
  const offline = await evaluate(`Offline analyzer (\`${offlineAnalyzer.name}\`)`, offlineAnalyzer);
  const offlineReport = renderReport(header(), [offline]);
  mkdirSync(dirname(REPORT_PATH), { recursive: true });
  writeFileSync(REPORT_PATH, offlineReport);
  log(`wrote ${relative(process.cwd(), REPORT_PATH)}`);

  const failures: string[] = [];
  const crashed = offline.evaluation.receipts.filter((r) => r.error !== undefined);
  // The offline analyzer is deterministic and never expected to throw: a crash is a bug, not a quality figure.
  if (crashed.length > 0) {
    failures.push(
      `the offline analyzer failed on ${crashed.map((r) => `${r.receipt} (${r.error})`).join(', ')}`,
    );
  }
  const offlineF1 = offline.evaluation.micro.f1 ?? 0;
  if (minF1 !== undefined && offlineF1 < minF1) {
    failures.push(`the offline analyzer's micro F1 ${f1Of(offline.evaluation)} is below --min-f1 ${minF1}`);
  }

  const sections = [offline];
  if (!env.OLLAMA_HOST) {
    log('LLM analyzer: skipped (set OLLAMA_HOST to evaluate it against a real Ollama)');
  } else if (!llmAnalyzerFromEnv) {
    failures.push('OLLAMA_HOST is set but no LLM analyzer is wired into apps/lambda/eval/eval.ts yet');
  } else {
    try {
      const analyzer = await llmAnalyzerFromEnv(env);
      const model = env.OLLAMA_MODEL ? `, model \`${env.OLLAMA_MODEL}\`` : '';
      sections.push(await evaluate(`LLM analyzer (\`${analyzer.name}\`${model})`, analyzer, LLM_TIMEOUT_MS));
    } catch (error) {
      failures.push(`the LLM analyzer could not be evaluated: ${messageOf(error)}`);
    }
  }
  process.stdout.write(sections.length === 1 ? offlineReport : renderReport(header(), sections));

  if (failures.length > 0) {
    console.error(`eval: FAILED\n${failures.map((failure) => `  ${failure}`).join('\n')}`);
    return 1;
  }
  return 0;
}

/** The LLM analyzer as the handlers build it from OLLAMA_* (tracing off: an evaluation is not production traffic). */
const llmAnalyzerFromEnv = (env: NodeJS.ProcessEnv): ReceiptAnalyzer =>
  new LazyLlmAnalyzer(ollamaConfigFromEnv(env), { enabled: false }, NOOP_TELEMETRY);

process.exitCode = await main(process.argv.slice(2), process.env, llmAnalyzerFromEnv);
