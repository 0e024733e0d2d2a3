// pnpm bench:e2e: the whole flow on DynamoDB Local in `inline` and in `event` mode, one after the other; writes
// docs/benchmarks/e2e.md and exits non-zero when an invariant does not hold.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveGatePolicy } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { renderReport } from './report.js';
import { type ModeResult, runMode } from './run-mode.js';

const REPORT_PATH = resolve(import.meta.dirname, '../../../docs/benchmarks/e2e.md');
// Each sample five times. The compactor's work per label record follows its receipt, not the snapshot, so the
// bench grows with the receipts: both modes take two and a half to four minutes on two busy cores.
const DEFAULT_RECEIPTS = 50;
// Short, as production's 30-60 s would make the run long, but long enough for the inline gate to poll a few times.
const DEFAULT_COMPACTION_MS = 200;
// About the compaction time: a read or two per merge, a release at most one interval late.
const DEFAULT_POLL_MS = 250;

const USAGE = `Usage: bench [--receipts N] [--compaction-ms MS] [--poll-ms MS] [--json]

Runs the whole flow on DynamoDB Local in inline mode, then in event mode, and writes docs/benchmarks/e2e.md.
  --receipts       receipts per mode, uploaded at once (default ${DEFAULT_RECEIPTS})
  --compaction-ms  how long each merge takes (default ${DEFAULT_COMPACTION_MS})
  --poll-ms        the gate's interval between reads of the run (default ${DEFAULT_POLL_MS})
  --json           print both modes' results as JSON instead of the report (which is still written)`;

function integer(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`--${name}: expected an integer >= ${min}, got ${raw}\n\n${USAGE}`);
  }
  return value;
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
      'compaction-ms': { type: 'string', default: String(DEFAULT_COMPACTION_MS) },
      'poll-ms': { type: 'string', default: String(DEFAULT_POLL_MS) },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const receipts = integer('receipts', values.receipts, 1);
  const compactionDelayMs = integer('compaction-ms', values['compaction-ms'], 0);
  const policy = resolveGatePolicy({ pollIntervalMs: integer('poll-ms', values['poll-ms'], 1) });
  // A safety net only, far above the second or two of work each receipt takes on a busy machine.
  const settleTimeoutMs = Math.max(120_000, receipts * 30_000);

  const results: ModeResult[] = [];
  for (const mode of ['inline', 'event'] as const) {
    console.error(`bench:e2e: ${mode} mode, ${receipts} receipts, compaction ${compactionDelayMs} ms...`);
    const result = await runMode({ mode, receipts, compactionDelayMs, gatePolicy: policy, settleTimeoutMs });
    console.error(
      `bench:e2e: ${mode} mode took ${(result.wallMs / 1000).toFixed(1)} s, ${result.violations.length} violation(s)`,
    );
    results.push(result);
  }
  const [inline, event] = results as [ModeResult, ModeResult];

  const runTimeMs = performance.now() - startedAt;
  const report = renderReport({
    command: 'pnpm bench:e2e',
    generatedAt: new Date(),
    runTimeMs,
    receipts,
    samples: SAMPLE_RECEIPTS.length,
    compactionDelayMs,
    policy,
    cores: cpus().length,
    nodeVersion: process.version,
    inline,
    event,
  });
  // Maps (requests by operation) print as objects.
  const asJson = (_key: string, value: unknown) => (value instanceof Map ? Object.fromEntries(value) : value);
  process.stdout.write(values.json ? `${JSON.stringify({ receipts, inline, event }, asJson, 2)}\n` : report);
  mkdirSync(dirname(REPORT_PATH), { recursive: true });
  writeFileSync(REPORT_PATH, report);
  console.error(
    `bench:e2e: wrote ${relative(process.cwd(), REPORT_PATH)} in ${(runTimeMs / 1000).toFixed(1)} s`,
  );

  const broken = results.filter((result) => result.violations.length > 0);
  if (broken.length > 0) {
    console.error(
      `bench:e2e: FAILED, invariants broken in ${broken.map((result) => `${result.mode} (${result.violations.length})`).join(', ')}`,
    );
    return 1;
  }
  return 0;
}
