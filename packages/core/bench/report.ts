import type { AcceptanceCheck } from './acceptance.js';
import type { PolicyRun } from './compare.js';
import { describePolicy, maxIntervalMs } from './policies.js';
import { READ_LATENCY_MS, SCENARIO_MIX, type ScenarioKind } from './scenarios.js';
import type { Distribution } from './stats.js';

export interface ReportInput {
  readonly command: string;
  readonly seed: number;
  readonly n: number;
  readonly shards: number;
  readonly generatedAt: Date;
  readonly runTimeMs: number;
  readonly scenarioCounts: Readonly<Record<ScenarioKind, number>>;
  /** The seed policy first. */
  readonly runs: readonly PolicyRun[];
  readonly acceptance: readonly AcceptanceCheck[];
}

const s = (ms: number) => (ms / 1000).toFixed(2);
const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}x`;
const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;
const name = (run: PolicyRun) => `\`${run.bench.name}\``;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function seedOf(runs: readonly PolicyRun[]): PolicyRun {
  const [seed] = runs;
  if (!seed) throw new RangeError('renderReport: no policy was run');
  return seed;
}

function resultsTable(runs: readonly PolicyRun[]): string {
  const seed = seedOf(runs);
  const row = (metric: string, cell: (run: PolicyRun) => string) => [metric, ...runs.map(cell)];
  const stat =
    (pick: (run: PolicyRun) => Distribution | undefined, key: keyof Distribution) => (run: PolicyRun) => {
      const value = pick(run)?.[key];
      return value === undefined ? '-' : s(value);
    };
  const delay = (run: PolicyRun) => run.releaseDelayMs;
  const detection = (run: PolicyRun) => run.failureDetectionMs;
  const seedP99 = seed.releaseDelayMs?.p99;
  return table(
    ['Metric', ...runs.map(name)],
    [
      row('Reads per wait, mean', (run) => run.readsPerWait.mean.toFixed(1)),
      row('Reads per wait, p50', (run) => String(run.readsPerWait.p50)),
      row('Reads per wait, p99', (run) => String(run.readsPerWait.p99)),
      row('Total DynamoDB reads', (run) => String(run.totalReads)),
      row('**Reads ratio vs seed**', (run) => ratio(run.totalReads, seed.totalReads)),
      row('Release delay after completion, p50 (s)', stat(delay, 'p50')),
      row('Release delay after completion, p99 (s)', stat(delay, 'p99')),
      row('Release delay after completion, max (s)', stat(delay, 'max')),
      row('**p99 delay ratio vs seed**', (run) =>
        run.releaseDelayMs && seedP99 ? ratio(run.releaseDelayMs.p99, seedP99) : '-',
      ),
      row('FAILED detected after the failure, p50 (s)', stat(detection, 'p50')),
      row('FAILED detected after the failure, p99 (s)', stat(detection, 'p99')),
      row('FAILED detected after the failure, max (s)', stat(detection, 'max')),
      row('Outcomes completed / failed / timed_out', (run) =>
        [run.outcomes.completed, run.outcomes.failed, run.outcomes.timed_out].join(' / '),
      ),
      row(
        'Reads spent in timed-out waits',
        (run) => `${run.timedOutReads} (${percent(run.timedOutReads, run.totalReads)})`,
      ),
      row('Invariant violations', (run) => String(run.violationCount)),
    ],
  );
}

/** Sentences drawn from the numbers, so they change when the gate or the scenarios do. */
function interpretation(runs: readonly PolicyRun[], n: number): string {
  const seed = seedOf(runs);
  const p99 = (run: PolicyRun) => run.releaseDelayMs?.p99 ?? Number.POSITIVE_INFINITY;
  const sentences = [
    `Under the seed policy a wait costs ${seed.readsPerWait.mean.toFixed(1)} reads on average ` +
      `(p99 ${seed.readsPerWait.p99}) and a completed run is released ${s(seed.releaseDelayMs?.p50 ?? Number.NaN)} s ` +
      `after it completes at the median, ${s(p99(seed))} s at p99, for a ${maxIntervalMs(seed.bench.policy) / 1000} s ` +
      'interval.',
  ];
  for (const run of runs.slice(1)) {
    sentences.push(
      `${name(run)} makes ${ratio(run.totalReads, seed.totalReads)} the seed's reads ` +
        `(${run.readsPerWait.mean.toFixed(1)} per wait) for ${ratio(p99(run), p99(seed))} its p99 release delay ` +
        `(${s(p99(run))} s).`,
    );
  }
  const cheapest = runs.reduce((best, run) => (run.totalReads < best.totalReads ? run : best));
  const quickest = runs.reduce((best, run) => (p99(run) < p99(best) ? run : best));
  const dominating = runs
    .slice(1)
    .filter(
      (run) =>
        run.totalReads <= seed.totalReads &&
        p99(run) <= p99(seed) &&
        (run.totalReads < seed.totalReads || p99(run) < p99(seed)),
    );
  sentences.push(
    dominating.length > 0
      ? `${dominating.map(name).join(' and ')} beat${dominating.length === 1 ? 's' : ''} the seed on both reads and p99 delay.`
      : `No policy beats the seed on both counts: the fewest reads come from ${name(cheapest)} ` +
          `(${percent(seed.totalReads - cheapest.totalReads, seed.totalReads)} fewer than the seed) at a p99 delay of ` +
          `${s(p99(cheapest))} s, the quickest release from ${name(quickest)} (p99 ${s(p99(quickest))} s) at ` +
          `${ratio(quickest.totalReads, seed.totalReads)} the seed's reads.`,
  );
  const timedOut = seed.outcomes.timed_out;
  sentences.push(
    `${timedOut} of ${n} waits (${percent(timedOut, n)}) time out, runs that never finish or take longer than ` +
      `${seed.bench.policy.maxWaitMs / 1000} s; each holds its caller for the whole budget under every policy, and ` +
      `together they make ${percent(seed.timedOutReads, seed.totalReads)} of the seed's reads ` +
      `(${percent(cheapest.timedOutReads, cheapest.totalReads)} of ${name(cheapest)}'s).`,
  );
  sentences.push(
    `FAILED is reported ${runs.map((run) => `${s(run.failureDetectionMs?.p99 ?? Number.NaN)} s (${name(run)})`).join(', ')} ` +
      'after the failure at p99: like a completion, a failure is only seen by the next read.',
  );
  return sentences.join(' ');
}

function scenariosTable(counts: Readonly<Record<ScenarioKind, number>>, n: number): string {
  return table(
    ['Kind', 'Target share', 'Drawn', 'What happens'],
    SCENARIO_MIX.map(({ kind, share, description }) => [
      kind,
      `${Math.round(share * 100)}%`,
      `${counts[kind]} (${percent(counts[kind], n)})`,
      description,
    ]),
  );
}

function invariantsSection(runs: readonly PolicyRun[]): string {
  return runs
    .map((run) =>
      run.violationCount === 0
        ? `- ${name(run)}: none.`
        : `- ${name(run)}: **${run.violationCount}**, first: ${run.violations.map((v) => `\`${v}\``).join('; ')}`,
    )
    .join('\n');
}

export function renderReport(input: ReportInput): string {
  const { runs, n, seed } = input;
  const acceptanceHolds = input.acceptance.every((check) => check.holds);
  return `# Gate policies compared in virtual time

Generated by \`${input.command}\` (\`packages/core/bench/gate.bench.ts\`) on ${input.generatedAt.toISOString()}:
seed ${seed}, ${n} waits per policy, ${input.shards} shard process(es), ${s(input.runTimeMs)} s of wall time.
Reproduce with \`GATE_BENCH_SEED=${seed} GATE_BENCH_N=${n} pnpm bench:gate\` (or \`--seed\` / \`--n\`).
This file is overwritten by each run; do not edit it by hand.

## Setup

Each wait runs \`PollingCompactionGate\` on its own \`VirtualClock\` against an \`InMemoryCompactionRunRepository\`
whose every read takes ${READ_LATENCY_MS.min}-${READ_LATENCY_MS.max} ms of virtual time (drawn per read). The run
exists with both collections PROCESSING when the gate first reads (t = 0); times below are from that read. Every
policy waits on the same scenarios with the same read latencies, read for read; jitter comes from the seeded PRNG.

${scenariosTable(input.scenarioCounts, n)}

Policies:
${runs.map((run) => `- ${name(run)}: ${describePolicy(run.bench.policy)}.`).join('\n')}

## Results

Release delay counts waits that ended \`completed\`; FAILED detection, waits that ended \`failed\`.

${resultsTable(runs)}

## Interpretation

${interpretation(runs, n)}

## Invariant checks over the simulation

Never early, never late (within one longest interval plus ${READ_LATENCY_MS.max} ms), no timeout before the budget or
on a run that completed or failed inside it, no wait past the deadline plus a read, no read and no timer after
settling. Violations:

${invariantsSection(runs)}

## Acceptance figures (seed policy)

Computed by running the gate with the seed policy and instant reads, as the seed's figures assume.
${acceptanceHolds ? 'All hold.' : '**Some do not hold: the bench exits non-zero.**'}

${table(
  ['Figure', 'Check', 'Expected', 'Observed', 'Holds'],
  input.acceptance.map((c) => [c.figure, c.check, c.expected, c.observed, c.holds ? 'yes' : '**NO**']),
)}
`;
}
