import { SEED_GATE_POLICY } from '../src/index.js';
import type { Scenario } from './scenarios.js';
import { simulateWait, type WaitRecord } from './simulate.js';

export interface AcceptanceCheck {
  readonly figure: string;
  readonly check: string;
  readonly expected: string;
  readonly observed: string;
  readonly holds: boolean;
}

const NEVER_COMPLETES: Scenario = { index: -1, kind: 'never', fates: {} };

/** Read start times as "61 reads at 0, 2, …, 120 s" when evenly spaced, else each one. */
export function describeReadTimes(timesMs: readonly number[]): string {
  const seconds = timesMs.map((t) => t / 1000);
  const step = (seconds[1] ?? 0) - (seconds[0] ?? 0);
  const even = seconds.length > 3 && seconds.every((t, i) => i === 0 || t - (seconds[i - 1] ?? 0) === step);
  const shown = even ? [seconds[0], seconds[1], '…', seconds.at(-1)] : seconds;
  return `${timesMs.length} reads at ${shown.join(', ')} s`;
}

/** The seed policy with instant reads, as the seed's figures assume. */
function seedWait(scenario: Scenario, deadlineAfterMs?: number): Promise<WaitRecord> {
  return simulateWait({
    policy: SEED_GATE_POLICY,
    scenario,
    readLatencyMs: () => 0,
    random: () => 0,
    ...(deadlineAfterMs !== undefined && { deadlineAfterMs }),
  });
}

/** Runs the gate on the figures the seed and the design promise and compares what it does with them. */
export async function acceptanceFigures(): Promise<AcceptanceCheck[]> {
  const checks: AcceptanceCheck[] = [];
  const expect = <T>(
    figure: string,
    check: string,
    expected: T,
    observed: T,
    show: (value: T) => string = String,
  ) =>
    checks.push({
      figure,
      check,
      expected: show(expected),
      observed: show(observed),
      holds: JSON.stringify(expected) === JSON.stringify(observed),
    });
  const quiet = (figure: string, wait: WaitRecord) =>
    expect(
      figure,
      'timers pending / reads after settling',
      [0, 0],
      [wait.pendingTimersAfter, wait.readsAfter],
      (v) => v.join(' / '),
    );

  const never = 'A run that never completes';
  const neverWait = await seedWait(NEVER_COMPLETES);
  const everyTwoSeconds = Array.from({ length: 61 }, (_, i) => i * 2_000);
  expect(never, 'read times', everyTwoSeconds, neverWait.readTimesMs, describeReadTimes);
  expect(never, 'reads', 61, neverWait.reads);
  expect(never, 'outcome', 'timed_out', neverWait.outcome);
  expect(never, 'waitedMs', 120_000, neverWait.waitedMs);
  quiet(never, neverWait);

  const late = 'A run completing at 37.3 s';
  const lateWait = await seedWait({
    index: -1,
    kind: 'typical',
    fates: { lines: { to: 'COMPLETED', atMs: 37_300 }, words: { to: 'COMPLETED', atMs: 37_300 } },
  });
  expect(late, 'outcome', 'completed', lateWait.outcome);
  expect(late, 'released at (waitedMs)', 38_000, lateWait.waitedMs);
  quiet(late, lateWait);

  const failing = 'A run failing at 5 s';
  const failingWait = await seedWait({
    index: -1,
    kind: 'failed',
    fates: { words: { to: 'FAILED', atMs: 5_000 } },
  });
  expect(failing, 'outcome', 'failed', failingWait.outcome);
  expect(failing, 'released at (waitedMs)', 6_000, failingWait.waitedMs);
  quiet(failing, failingWait);

  const deadline = 'A caller deadline of 30 s';
  const deadlineWait = await seedWait(NEVER_COMPLETES, 30_000);
  expect(deadline, 'outcome', 'timed_out', deadlineWait.outcome);
  expect(deadline, 'waitedMs', 30_000, deadlineWait.waitedMs);
  expect(deadline, 'last read at (ms)', 30_000, deadlineWait.readTimesMs.at(-1));
  quiet(deadline, deadlineWait);
  return checks;
}
