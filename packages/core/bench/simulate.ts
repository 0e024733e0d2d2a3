import {
  type CompactionCollection,
  type GateOutcome,
  type GatePolicy,
  newCompactionRun,
  PollingCompactionGate,
  toTimestamp,
} from '../src/index.js';
import { InMemoryCompactionRunRepository, VirtualClock } from '../src/testing/index.js';
import type { Scenario } from './scenarios.js';

const KEY = {
  imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  receiptId: 1,
  runId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
};
const COLLECTIONS: readonly CompactionCollection[] = ['lines', 'words'];
// Long enough for any sleep or read timeout the gate could have left behind to fire a read.
const QUIET_CHECK_MS = 600_000;

export interface WaitSetup {
  readonly policy: Partial<GatePolicy>;
  readonly scenario: Scenario;
  readonly readLatencyMs: () => number;
  readonly random: () => number;
  /** A caller deadline, ms after the first read. */
  readonly deadlineAfterMs?: number;
}

export interface WaitRecord {
  readonly outcome: GateOutcome;
  readonly waitedMs: number;
  /** Reads the repository served (DynamoDB GetItems), failed ones included. */
  readonly reads: number;
  /** When each read started, ms after the first. */
  readonly readTimesMs: readonly number[];
  /** Gate timers still pending once it settled and the simulated compactor stopped. */
  readonly pendingTimersAfter: number;
  /** Reads made after settling, while virtual time ran on. */
  readonly readsAfter: number;
}

/**
 * One wait in virtual time: a run created PENDING, both collections PROCESSING at once, then each collection
 * moved as the scenario says while the gate polls it.
 */
export async function simulateWait(setup: WaitSetup): Promise<WaitRecord> {
  const clock = new VirtualClock();
  const runs = new InMemoryCompactionRunRepository({ clock, readLatencyMs: setup.readLatencyMs });
  const t0 = clock.now();
  await runs.createCompactionRun(
    newCompactionRun({
      ...KEY,
      linesDeltaPrefix: 'lines/',
      wordsDeltaPrefix: 'words/',
      createdAt: toTimestamp(t0),
    }),
  );
  for (const collection of COLLECTIONS) {
    await runs.transitionCollection(KEY, collection, { to: 'PROCESSING', at: toTimestamp(t0) });
  }
  // Aborted after the wait, so the gate's own timers are all that `pendingTimers` can count.
  const compactor = new AbortController();
  for (const collection of COLLECTIONS) {
    const fate = setup.scenario.fates[collection];
    if (!fate) continue;
    const at = toTimestamp(t0 + fate.atMs);
    clock.sleep(fate.atMs, compactor.signal).then(
      () =>
        runs.transitionCollection(
          KEY,
          collection,
          fate.to === 'COMPLETED'
            ? { to: 'COMPLETED', at, mergedVectors: 1 }
            : { to: 'FAILED', at, error: 'simulated failure' },
        ),
      () => {},
    );
  }

  const gate = new PollingCompactionGate({ runs, clock, random: setup.random }, setup.policy);
  const result = await clock.run(
    gate.waitForCompaction(
      KEY,
      setup.deadlineAfterMs === undefined ? {} : { deadlineAt: t0 + setup.deadlineAfterMs },
    ),
  );
  compactor.abort();
  const pendingTimersAfter = clock.pendingTimers();
  const readsAtSettle = runs.reads;
  await clock.advance(QUIET_CHECK_MS);
  return {
    outcome: result.outcome,
    waitedMs: result.waitedMs,
    reads: readsAtSettle,
    readTimesMs: runs.readTimes.slice(0, readsAtSettle).map((t) => t - t0),
    pendingTimersAfter,
    readsAfter: runs.reads - readsAtSettle,
  };
}
