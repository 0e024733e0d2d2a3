import type { GateOutcome } from '../src/index.js';
import { mulberry32 } from '../src/testing/mulberry32.js';
import { type BenchPolicy, maxIntervalMs } from './policies.js';
import { deriveSeed, uniformMs } from './prng.js';
import { completesAtMs, failsAtMs, READ_LATENCY_MS, type Scenario } from './scenarios.js';
import { simulateWait, type WaitRecord } from './simulate.js';
import { type Distribution, distribution } from './stats.js';

const OUTCOMES: readonly GateOutcome[] = ['completed', 'failed', 'timed_out', 'not_found', 'aborted'];
const VIOLATIONS_SHOWN = 5;

export interface PolicyRun {
  readonly bench: BenchPolicy;
  readonly waits: number;
  readonly readsPerWait: Distribution;
  readonly totalReads: number;
  /** Reads made by waits that ended `timed_out`. */
  readonly timedOutReads: number;
  /** From the run's completion to the gate's release, for waits that ended `completed`. */
  readonly releaseDelayMs: Distribution | undefined;
  /** From the first FAILED collection to the gate's release, for waits that ended `failed`. */
  readonly failureDetectionMs: Distribution | undefined;
  readonly outcomes: Readonly<Record<GateOutcome, number>>;
  readonly violationCount: number;
  readonly violations: readonly string[];
}

/**
 * What the design's invariants forbid in one wait. "Never late" allows one longest interval plus the read that
 * sees the change, since each interval starts when the previous read returns.
 */
function violationsOf(bench: BenchPolicy, scenario: Scenario, wait: WaitRecord): string[] {
  const { policy } = bench;
  const lateBoundMs = maxIntervalMs(policy) + READ_LATENCY_MS.max;
  const completedAt = completesAtMs(scenario);
  const failedAt = failsAtMs(scenario);
  const found: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) found.push(`scenario ${scenario.index} (${scenario.kind}): ${what}`);
  };
  switch (wait.outcome) {
    case 'completed':
      check(
        completedAt !== undefined && wait.waitedMs >= completedAt,
        `released early at ${wait.waitedMs} ms`,
      );
      check(
        completedAt !== undefined && wait.waitedMs - completedAt <= lateBoundMs,
        `released ${wait.waitedMs - (completedAt ?? 0)} ms after completion (bound ${lateBoundMs} ms)`,
      );
      break;
    case 'failed':
      check(
        failedAt !== undefined && wait.waitedMs >= failedAt,
        `reported failed early at ${wait.waitedMs} ms`,
      );
      check(
        failedAt !== undefined && wait.waitedMs - failedAt <= lateBoundMs,
        `reported failed ${wait.waitedMs - (failedAt ?? 0)} ms after the failure (bound ${lateBoundMs} ms)`,
      );
      break;
    case 'timed_out':
      check(wait.waitedMs >= policy.maxWaitMs, `gave up early at ${wait.waitedMs} ms`);
      check(
        completedAt === undefined || completedAt > policy.maxWaitMs,
        `timed out on a run completed at ${completedAt} ms`,
      );
      check(
        failedAt === undefined || failedAt > policy.maxWaitMs,
        `timed out on a run failed at ${failedAt} ms`,
      );
      break;
    default:
      check(false, `unexpected outcome ${wait.outcome}`);
  }
  check(
    wait.waitedMs <= policy.maxWaitMs + READ_LATENCY_MS.max,
    `waited ${wait.waitedMs} ms, past the deadline`,
  );
  check(wait.pendingTimersAfter === 0, `${wait.pendingTimersAfter} timers pending after settling`);
  check(wait.readsAfter === 0, `${wait.readsAfter} reads after settling`);
  return found;
}

/** Raw results of some scenarios under one policy: plain data, so shards can send it to the parent process. */
export interface PolicySamples {
  reads: number[];
  releaseDelaysMs: number[];
  failureDetectionsMs: number[];
  outcomes: Record<GateOutcome, number>;
  /** Reads made by waits that ended `timed_out`. */
  timedOutReads: number;
  violations: string[];
}

/** Runs the scenarios under one policy, each wait on its own virtual clock. */
export async function simulatePolicy(
  bench: BenchPolicy,
  scenarios: readonly Scenario[],
  seed: number,
): Promise<PolicySamples> {
  const samples: PolicySamples = {
    reads: [],
    releaseDelaysMs: [],
    failureDetectionsMs: [],
    outcomes: Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<GateOutcome, number>,
    timedOutReads: 0,
    violations: [],
  };
  for (const scenario of scenarios) {
    // Latencies are seeded by scenario alone, so every policy meets the same read delays, read for read.
    const latency = mulberry32(deriveSeed(seed, 'latency', scenario.index));
    const wait = await simulateWait({
      policy: bench.policy,
      scenario,
      readLatencyMs: () => uniformMs(latency, READ_LATENCY_MS.min, READ_LATENCY_MS.max),
      random: mulberry32(deriveSeed(seed, 'jitter', bench.name, scenario.index)),
    });
    samples.reads.push(wait.reads);
    samples.outcomes[wait.outcome]++;
    const completedAt = completesAtMs(scenario);
    const failedAt = failsAtMs(scenario);
    if (wait.outcome === 'completed' && completedAt !== undefined) {
      samples.releaseDelaysMs.push(wait.waitedMs - completedAt);
    }
    if (wait.outcome === 'failed' && failedAt !== undefined) {
      samples.failureDetectionsMs.push(wait.waitedMs - failedAt);
    }
    if (wait.outcome === 'timed_out') samples.timedOutReads += wait.reads;
    samples.violations.push(...violationsOf(bench, scenario, wait));
  }
  return samples;
}

/** Merges the shards' samples of one policy into its summary. */
export function summarise(bench: BenchPolicy, shards: readonly PolicySamples[]): PolicyRun {
  const reads = shards.flatMap((shard) => shard.reads);
  const readsPerWait = distribution(reads);
  if (!readsPerWait) throw new RangeError(`summarise: no waits were simulated for ${bench.name}`);
  const violations = shards.flatMap((shard) => shard.violations);
  return {
    bench,
    waits: reads.length,
    readsPerWait,
    totalReads: reads.reduce((sum, n) => sum + n, 0),
    timedOutReads: shards.reduce((sum, shard) => sum + shard.timedOutReads, 0),
    releaseDelayMs: distribution(shards.flatMap((shard) => shard.releaseDelaysMs)),
    failureDetectionMs: distribution(shards.flatMap((shard) => shard.failureDetectionsMs)),
    outcomes: Object.fromEntries(
      OUTCOMES.map((outcome) => [outcome, shards.reduce((sum, shard) => sum + shard.outcomes[outcome], 0)]),
    ) as Record<GateOutcome, number>,
    violationCount: violations.length,
    violations: violations.slice(0, VIOLATIONS_SHOWN),
  };
}
