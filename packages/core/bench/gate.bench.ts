// pnpm bench:gate: compares gate policies on the same simulated compactions in virtual time, writes
// docs/benchmarks/gate.md and exits non-zero when an acceptance figure or an invariant does not hold.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { acceptanceFigures } from './acceptance.js';
import { type PolicySamples, summarise } from './compare.js';
import { BENCH_POLICIES } from './policies.js';
import { renderReport } from './report.js';
import { generateScenarios, SCENARIO_MIX, type ScenarioKind } from './scenarios.js';

const startedAt = performance.now();
const DEFAULT_SEED = 20_260_101;
const DEFAULT_N = 2_000;
// Each shard is a process; more than a few buys nothing for 2000 waits and crowds a shared machine.
const MAX_SHARDS = 4;
const REPORT_PATH = resolve(import.meta.dirname, '../../../docs/benchmarks/gate.md');
const SHARD_PATH = resolve(import.meta.dirname, 'shard.ts');

/** `--name=value`, `--name value`, then the environment variable, then the default. */
function integerOption(name: string, env: string, fallback: number, min: number, max: number): number {
  const args = process.argv.slice(2);
  const flag = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  const raw = flag === -1 ? process.env[env] : (args[flag]?.split('=')[1] ?? args[flag + 1]);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`--${name} / ${env}: expected an integer in [${min}, ${max}], got ${raw}`);
  }
  return value;
}

/** Simulates scenarios [from, to) in a child process (with tsx's loader, inherited from this one). */
function runShard(seed: number, n: number, from: number, to: number): Promise<PolicySamples[]> {
  return new Promise((resolveShard, reject) => {
    let samples: PolicySamples[] | undefined;
    const child = fork(SHARD_PATH, [seed, n, from, to].map(String));
    child.on('message', (message) => {
      samples = message as PolicySamples[];
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && samples) resolveShard(samples);
      else reject(new Error(`bench shard [${from}, ${to}) exited with code ${code} and no results`));
    });
  });
}

const seed = integerOption('seed', 'GATE_BENCH_SEED', DEFAULT_SEED, 0, 2 ** 32 - 1);
const n = integerOption('n', 'GATE_BENCH_N', DEFAULT_N, 1, 1_000_000);
const shards = Math.min(availableParallelism(), MAX_SHARDS, n);
const shardSize = Math.ceil(n / shards);
console.error(`bench:gate: seed ${seed}, ${n} waits per policy, ${shards} shard(s)`);

const [acceptance, shardSamples] = await Promise.all([
  acceptanceFigures(),
  Promise.all(
    Array.from({ length: shards }, (_, i) =>
      runShard(seed, n, i * shardSize, Math.min(n, (i + 1) * shardSize)),
    ),
  ),
]);
const runs = BENCH_POLICIES.map((bench, p) =>
  summarise(
    bench,
    shardSamples.map((policies) => {
      const samples = policies[p];
      if (!samples) throw new Error(`a shard returned no samples for ${bench.name}`);
      return samples;
    }),
  ),
);
const scenarioCounts = Object.fromEntries(SCENARIO_MIX.map(({ kind }) => [kind, 0])) as Record<
  ScenarioKind,
  number
>;
for (const scenario of generateScenarios(seed, n)) scenarioCounts[scenario.kind]++;

const runTimeMs = performance.now() - startedAt;
const report = renderReport({
  command: 'pnpm bench:gate',
  seed,
  n,
  shards,
  generatedAt: new Date(),
  runTimeMs,
  scenarioCounts,
  runs,
  acceptance,
});
process.stdout.write(report);
mkdirSync(dirname(REPORT_PATH), { recursive: true });
writeFileSync(REPORT_PATH, report);
console.error(
  `bench:gate: wrote ${relative(process.cwd(), REPORT_PATH)} in ${(runTimeMs / 1000).toFixed(1)} s`,
);

const failures = [
  ...acceptance
    .filter((check) => !check.holds)
    .map((c) => `acceptance: ${c.figure}, ${c.check}: expected ${c.expected}, got ${c.observed}`),
  ...runs
    .filter((run) => run.violationCount > 0)
    .map((run) => `${run.bench.name}: ${run.violationCount} invariant violation(s)`),
];
if (failures.length > 0) {
  console.error(`bench:gate: FAILED\n${failures.map((failure) => `  ${failure}`).join('\n')}`);
  process.exitCode = 1;
}
