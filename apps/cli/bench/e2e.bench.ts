// pnpm bench:e2e: the whole flow on DynamoDB Local in `inline` and/or `event` mode; writes docs/benchmarks/e2e.md,
// ends with one summary line per mode, and exits non-zero when an invariant does not hold.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveGatePolicy } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { DISPATCHER_STREAM_SETTINGS } from '@receipt-gate/lambda';
import { renderReport, summaryLine } from './report.js';
import { type ModeResult, runMode } from './run-mode.js';

const REPORT_PATH = resolve(import.meta.dirname, '../../../docs/benchmarks/e2e.md');
const DEFAULT_RECEIPTS = 300;
// Short, as production's 30-60 s would make the run long, but long enough for the inline gate to poll a few times.
const DEFAULT_COMPACTION_MS = 200;
// About the compaction time: a read or two per merge, a release at most one interval late.
const DEFAULT_POLL_MS = 250;
// Enough to compile the JVM's and this process's hot paths (a few thousand item writes), a few seconds.
const DEFAULT_WARMUP = 30;
const MODES = { inline: ['inline'], event: ['event'], both: ['inline', 'event'] } as const;

const USAGE = `Usage: bench [--receipts N] [--mode inline|event|both] [--compaction-ms MS] [--poll-ms MS] [--warmup N] [--json]

Runs the whole flow on DynamoDB Local in the given mode(s) and writes docs/benchmarks/e2e.md; the output ends with
one line per mode: e2e: <mode> <N> receipts, <x> receipts/s, <y>% of write ceiling, <z> requests/receipt, <v> violations
  --receipts       receipts per mode, uploaded at once (default ${DEFAULT_RECEIPTS})
  --mode           inline, event or both (default both)
  --compaction-ms  how long each merge takes (default ${DEFAULT_COMPACTION_MS})
  --poll-ms        the gate's interval between reads of the run (default ${DEFAULT_POLL_MS})
  --warmup         receipts of an unmeasured flow run first in each mode, on its own table (default ${DEFAULT_WARMUP})
  --json           also print the modes' results as JSON before the summary lines (the report is still written)`;

function integer(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`--${name}: expected an integer >= ${min}, got ${raw}\n\n${USAGE}`);
  }
  return value;
}

function settingsText(): string {
  const { batchSize, parallelizationFactor, maximumBatchingWindowInSeconds, maximumRetryAttempts } =
    DISPATCHER_STREAM_SETTINGS;
  return `batch size ${batchSize}, parallelization factor ${parallelizationFactor}, batching window ${maximumBatchingWindowInSeconds} s, ${maximumRetryAttempts} retries`;
}

/** The benchmark, as `receipt-gate bench` (and `pnpm bench:e2e`) runs it. */
export async function runBench(argv: readonly string[]): Promise<number> {
  const startedAt = performance.now();
  // Read when the clients are built: silences the SDK's Node 22 notice, as vitest.config.ts does for the tests.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({
    // pnpm passes a literal `--` through when given one.
    args: argv.filter((arg) => arg !== '--'),
    options: {
      receipts: { type: 'string', default: String(DEFAULT_RECEIPTS) },
      mode: { type: 'string', default: 'both' },
      'compaction-ms': { type: 'string', default: String(DEFAULT_COMPACTION_MS) },
      'poll-ms': { type: 'string', default: String(DEFAULT_POLL_MS) },
      warmup: { type: 'string', default: String(DEFAULT_WARMUP) },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const receipts = integer('receipts', values.receipts, 1);
  const warmupReceipts = integer('warmup', values.warmup, 0);
  const compactionDelayMs = integer('compaction-ms', values['compaction-ms'], 0);
  const policy = resolveGatePolicy({ pollIntervalMs: integer('poll-ms', values['poll-ms'], 1) });
  if (!(values.mode in MODES))
    throw new RangeError(`--mode: expected inline, event or both, got ${values.mode}\n\n${USAGE}`);
  const modes = MODES[values.mode as keyof typeof MODES];
  // A safety net only, far above the work each receipt takes on a busy machine.
  const settleTimeoutMs = Math.max(300_000, receipts * 3_000);

  const runs: ModeResult[] = [];
  for (const mode of modes) {
    console.error(`bench:e2e: ${mode} mode, ${receipts} receipts, compaction ${compactionDelayMs} ms...`);
    const result = await runMode({
      mode,
      receipts,
      compactionDelayMs,
      gatePolicy: policy,
      settleTimeoutMs,
      warmupReceipts,
    });
    console.error(
      `bench:e2e: ${mode} mode took ${(result.wallMs / 1000).toFixed(1)} s, ${result.violations.length} violation(s)`,
    );
    runs.push(result);
  }

  const runTimeMs = performance.now() - startedAt;
  const report = renderReport({
    command: 'pnpm bench:e2e',
    generatedAt: new Date(),
    runTimeMs,
    receipts,
    warmupReceipts,
    samples: SAMPLE_RECEIPTS.length,
    compactionDelayMs,
    policy,
    cores: cpus().length,
    nodeVersion: process.version,
    settings: settingsText(),
    runs,
  });
  // Maps (requests by operation) print as objects.
  const asJson = (_key: string, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value);
  if (values.json) process.stdout.write(`${JSON.stringify({ receipts, runs }, asJson, 2)}\n`);
  mkdirSync(dirname(REPORT_PATH), { recursive: true });
  writeFileSync(REPORT_PATH, report);
  console.error(
    `bench:e2e: wrote ${relative(process.cwd(), REPORT_PATH)} in ${(runTimeMs / 1000).toFixed(1)} s`,
  );
  const broken = runs.filter((run) => run.violations.length > 0);
  if (broken.length > 0) {
    console.error(
      `bench:e2e: FAILED, invariants broken in ${broken.map((run) => `${run.mode} (${run.violations.length})`).join(', ')}`,
    );
  }
  // The last lines of the output: one per mode.
  for (const run of runs) console.log(summaryLine(run));
  return broken.length > 0 ? 1 : 0;
}
