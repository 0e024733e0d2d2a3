/**
 * Test-only: the gate's invariants as properties of a gate factory, so the same property runs against the real
 * gate and against the mutants of it that it must catch. A violation throws "[<invariant>] <detail>".
 */
import fc from 'fast-check';
import type { CompactionRun } from '../domain/compaction-run.js';
import { InjectedPermanentError } from '../testing/fault-injector.js';
import {
  decisionOf,
  ERROR_TEXT,
  type GateFactory,
  longestIntervalMs,
  type Observation,
  observe,
  type ScenarioOptions,
  scenarioArb,
  statesAt,
} from './gate-scenarios.test-support.js';

/** Throws, naming the invariant, when `holds` is false. */
function claim(holds: boolean, invariant: string, detail: () => string): asserts holds {
  if (!holds) throw new Error(`[${invariant}] ${detail()}`);
}

const rel = (o: Observation, at: number | undefined) => (at === undefined ? 'never' : `${at - o.t0} ms`);
const bothCompleted = (run: CompactionRun | undefined) =>
  run?.linesState === 'COMPLETED' && run.wordsState === 'COMPLETED';
/** Deadline, or t0 when the caller's deadline was already past: the last instant a read may start. */
const lastReadAt = (o: Observation) => Math.max(o.deadline, o.t0);
const abortedBeforeSettling = (o: Observation) => o.abort !== undefined && !o.abort.afterSettle;
/** The reads made until the wait settled (a broken gate may read after). */
const readsUntilSettled = (o: Observation) => o.reads.slice(0, o.readsAtSettle);

type Check = (o: Observation, settled: NonNullable<Observation['settled']>) => void;

function gateProperty(options: ScenarioOptions, check: Check) {
  return (factory: GateFactory) =>
    fc.asyncProperty(scenarioArb(options), fc.scheduler(), async (scenario, scheduler) => {
      const o = await observe(factory, scenario, scheduler);
      claim(o.settled !== undefined, 'liveness', () => `the wait never settled: ${o.stuck}`);
      check(o, o.settled);
    });
}

// 1. Never early.
const NEVER_EARLY = 'never early';
const neverEarly = gateProperty({ abort: 'sometimes', faults: 'some' }, (o, settled) => {
  // The store answers every read from the scenario's timeline (a change at the read's own instant may land
  // either side of it, as the scheduler decides).
  for (const read of o.reads) {
    const { end } = read;
    if (read.kind !== 'ok' || end === undefined) continue;
    const seen = read.run && { lines: read.run.linesState, words: read.run.wordsState };
    const [after, before] = [true, false].map((inclusive) => statesAt(o.scenario, end - o.t0, inclusive));
    claim(
      JSON.stringify(seen) === JSON.stringify(after) || JSON.stringify(seen) === JSON.stringify(before),
      'harness',
      () => `read at ${rel(o, end)} saw ${JSON.stringify(seen)}, timeline says ${JSON.stringify(after)}`,
    );
  }
  if (settled.kind === 'rejected') return;
  const { result } = settled;
  const reads = readsUntilSettled(o);
  const release = reads.at(-1);
  const releasedByRead = release?.kind === 'ok' && release.end === settled.at;
  switch (result.outcome) {
    case 'completed': {
      claim(
        releasedByRead && bothCompleted(release.run) && bothCompleted(result.run),
        NEVER_EARLY,
        () =>
          `completed at ${rel(o, settled.at)}, but the read that released it saw ${JSON.stringify(release?.run && [release.run.linesState, release.run.wordsState])}`,
      );
      const timeline = statesAt(o.scenario, settled.at - o.t0, true);
      claim(
        timeline?.lines === 'COMPLETED' && timeline.words === 'COMPLETED',
        NEVER_EARLY,
        () => `completed at ${rel(o, settled.at)}, when the timeline says ${JSON.stringify(timeline)}`,
      );
      break;
    }
    case 'failed': {
      const failed = (['lines', 'words'] as const).filter((c) => release?.run?.[`${c}State`] === 'FAILED');
      claim(
        releasedByRead && failed.length > 0,
        NEVER_EARLY,
        () => `failed at ${rel(o, settled.at)} without a read that saw FAILED`,
      );
      claim(
        failed.every((c) => result.error?.includes(ERROR_TEXT[c])),
        NEVER_EARLY,
        () => `failed without the failure's text: ${result.error}`,
      );
      break;
    }
    case 'timed_out':
      claim(
        settled.at >= o.deadline,
        NEVER_EARLY,
        () => `timed_out at ${rel(o, settled.at)}, before the deadline at ${rel(o, o.deadline)}`,
      );
      break;
    case 'not_found': {
      const graceEnd = Math.min(o.t0 + o.scenario.policy.notFoundGraceMs, o.deadline);
      claim(
        settled.at >= graceEnd,
        NEVER_EARLY,
        () => `not_found at ${rel(o, settled.at)}, before the grace period ended at ${rel(o, graceEnd)}`,
      );
      claim(
        reads.every((r) => r.run === undefined),
        NEVER_EARLY,
        () => 'not_found although a read returned the run',
      );
      break;
    }
    case 'aborted':
      claim(abortedBeforeSettling(o), NEVER_EARLY, () => 'aborted although nobody aborted');
      break;
  }
});

// 2. Never late.
const NEVER_LATE = 'never late';
const neverLate = gateProperty({ abort: 'never', faults: 'some' }, (o, settled) => {
  const { policy } = o.scenario;
  const lastRead = lastReadAt(o);
  claim(
    o.readTimes.every((t) => t <= lastRead),
    NEVER_LATE,
    () =>
      `a read started at ${rel(
        o,
        o.readTimes.find((t) => t > lastRead),
      )}, after the deadline at ${rel(o, lastRead)}`,
  );
  claim(
    settled.at <= lastRead + policy.pollTimeoutMs,
    NEVER_LATE,
    () =>
      `settled at ${rel(o, settled.at)}, after deadline ${rel(o, lastRead)} + pollTimeoutMs ${policy.pollTimeoutMs}`,
  );
  // A run never seen: the first read that finds it missing once the grace period is over ends the wait.
  const reads = readsUntilSettled(o);
  const graceEnd = o.t0 + policy.notFoundGraceMs;
  const missingAfterGrace = reads.findIndex(
    (r, i) =>
      r.kind === 'ok' &&
      r.run === undefined &&
      (r.end ?? r.start) >= graceEnd &&
      reads.slice(0, i).every((earlier) => earlier.kind !== 'ok' || earlier.run === undefined),
  );
  if (missingAfterGrace !== -1) {
    const read = reads[missingAfterGrace];
    claim(
      settled.kind === 'resolved' && settled.result.outcome === 'not_found' && settled.at === read?.end,
      NEVER_LATE,
      () =>
        `the run was still missing at ${rel(o, read?.end)}, after the grace period ended at ${rel(o, graceEnd)}, but the wait ${settled.kind === 'resolved' ? `settled ${settled.result.outcome}` : 'rejected'} at ${rel(o, settled.at)}`,
    );
  }
  const sawMissing = reads.some((r) => r.kind === 'ok' && r.run === undefined);
  const everSeen = reads.some((r) => r.kind === 'ok' && r.run !== undefined);
  claim(
    settled.kind !== 'resolved' || settled.result.outcome !== 'timed_out' || !sawMissing || everSeen,
    NEVER_LATE,
    () => `timed_out at ${rel(o, settled.at)} for a run never seen: that is not_found`,
  );
  const decision = decisionOf(o.scenario);
  if (!decision || abortedBeforeSettling(o)) return;
  const decidedAt = o.t0 + Math.max(decision.atMs, 0);
  if (decidedAt >= o.deadline) return;
  // One interval (the longest the policy can sleep) plus one read; each read that fails on the way may add
  // its own duration (at most the read timeout) and another interval.
  const interval = longestIntervalMs(policy);
  const oneRead = Math.max(
    0,
    ...reads.filter((r) => r.kind === 'ok').map((r) => (r.end ?? r.start) - r.start),
  );
  const failedSince = reads.filter(
    (r) => r.kind !== 'ok' && r.end !== undefined && r.end >= decidedAt,
  ).length;
  const bound = decidedAt + interval + oneRead + failedSince * (interval + policy.pollTimeoutMs);
  claim(
    settled.at <= bound,
    NEVER_LATE,
    () =>
      `${decision.outcome} at ${rel(o, decidedAt)}, released at ${rel(o, settled.at)}, later than ${rel(o, bound)} (interval ${interval}, read ${oneRead}, ${failedSince} failed reads)`,
  );
  if (settled.kind === 'resolved' && failedSince === 0 && settled.at > decidedAt) {
    claim(
      settled.result.outcome === decision.outcome,
      NEVER_LATE,
      () =>
        `${decision.outcome} at ${rel(o, decidedAt)}, but the wait settled ${settled.result.outcome} at ${rel(o, settled.at)}`,
    );
  }
});

// 3. Deadline from the clock.
const WAITED_FROM_CLOCK = 'waitedMs from the clock';
const waitedFromClock = gateProperty({ abort: 'sometimes', faults: 'some' }, (o, settled) => {
  if (settled.kind === 'rejected') return;
  claim(
    settled.result.waitedMs === settled.at - o.t0,
    WAITED_FROM_CLOCK,
    () => `waitedMs ${settled.result.waitedMs}, but the clock says ${settled.at - o.t0} ms`,
  );
});

// 4. First read at once, a final read at the deadline, none after.
const READ_SCHEDULE = 'first read at once, last at the deadline';
const readSchedule = gateProperty({ abort: 'never', faults: 'some' }, (o, settled) => {
  claim(o.readTimes[0] === o.t0, READ_SCHEDULE, () => `first read at ${rel(o, o.readTimes[0])}, not at once`);
  const lastRead = lastReadAt(o);
  claim(
    o.readTimes.every((t) => t <= lastRead),
    READ_SCHEDULE,
    () => `a read at ${rel(o, o.readTimes.at(-1))}, after the deadline at ${rel(o, lastRead)}`,
  );
  const longest = longestIntervalMs(o.scenario.policy);
  const reads = readsUntilSettled(o);
  reads.slice(1).forEach((read, i) => {
    const gap = read.start - (reads[i]?.end ?? read.start);
    claim(
      gap <= longest,
      READ_SCHEDULE,
      () =>
        `${gap} ms between the reads ending at ${rel(o, reads[i]?.end)} and starting at ${rel(o, read.start)}, more than the longest interval ${longest} ms`,
    );
  });
  if (settled.kind === 'rejected') return;
  const { outcome } = settled.result;
  const pendingToTheEnd =
    outcome === 'timed_out' ||
    (outcome === 'not_found' && o.t0 + o.scenario.policy.notFoundGraceMs >= lastRead);
  if (!pendingToTheEnd) return;
  const last = readsUntilSettled(o).at(-1);
  claim(
    last !== undefined && last.start <= lastRead && (last.end ?? Number.POSITIVE_INFINITY) >= lastRead,
    READ_SCHEDULE,
    () =>
      `${outcome} with no read at (or across) the deadline ${rel(o, lastRead)}; last read ${rel(o, last?.start)}..${rel(o, last?.end)}`,
  );
});

// 5. Quiet after settling.
const QUIET = 'quiet after settling';
const quietAfterSettling = gateProperty({ abort: 'sometimes', faults: 'many' }, (o, settled) => {
  claim(
    o.timersAtSettle === 0,
    QUIET,
    () =>
      `${o.timersAtSettle} timer(s) pending when the wait settled (${settled.kind} at ${rel(o, settled.at)})`,
  );
  claim(
    o.readsAfterQuiet === o.readsAtSettle,
    QUIET,
    () => `${o.readsAfterQuiet - o.readsAtSettle} read(s) after settling`,
  );
  claim(o.timersAfterQuiet === 0, QUIET, () => `${o.timersAfterQuiet} timer(s) still pending long after`);
  claim(
    o.listenersAtSettle === 0,
    QUIET,
    () => `${o.listenersAtSettle} abort listener(s) left on the caller's signal`,
  );
});

// 6. Abort.
const ABORT = 'abort';
const abortIsPromptAndQuiet = gateProperty({ abort: 'always', faults: 'some' }, (o, settled) => {
  const { abort } = o;
  if (!abort || abort.afterSettle) return;
  claim(
    settled.kind === 'resolved' && settled.result.outcome === 'aborted',
    ABORT,
    () =>
      `aborted at ${rel(o, abort.at)}, but the wait ${settled.kind === 'resolved' ? `settled ${settled.result.outcome}` : 'rejected'}`,
  );
  claim(
    o.readsAtSettle === abort.readsBefore && o.readsAfterQuiet === abort.readsBefore,
    ABORT,
    () => `${o.readsAfterQuiet - abort.readsBefore} read(s) after the abort`,
  );
  claim(
    settled.at === abort.at,
    ABORT,
    () => `aborted at ${rel(o, abort.at)}, settled only at ${rel(o, settled.at)}`,
  );
  claim(o.timersAtSettle === 0, ABORT, () => `${o.timersAtSettle} timer(s) left after the abort`);
  if (o.scenario.abort.kind === 'before-start') {
    claim(
      settled.result.polls === 0 && settled.result.waitedMs === 0,
      ABORT,
      () => `aborted before the wait, but polls ${settled.result.polls}, waitedMs ${settled.result.waitedMs}`,
    );
  }
});

// 7. Faults.
const FAULTS = 'read faults';
const faultsHandled = gateProperty({ abort: 'sometimes', faults: 'many' }, (o, settled) => {
  const reads = o.reads.slice(0, o.readsAtSettle);
  const last = reads.at(-1);
  if (settled.kind === 'rejected') {
    claim(
      settled.error instanceof InjectedPermanentError,
      FAULTS,
      () => `rejected with ${String(settled.error)}, not a permanent read failure`,
    );
    claim(
      last?.kind === 'permanent' && last.end === settled.at,
      FAULTS,
      () => `rejected at ${rel(o, settled.at)}, not when the permanent failure happened`,
    );
    return;
  }
  const permanent = reads.find((r) => r.kind === 'permanent');
  claim(
    permanent === undefined,
    FAULTS,
    () =>
      `a permanent read failure at ${rel(o, permanent?.start)} did not reject (settled ${settled.result.outcome})`,
  );
  const counted = reads.filter((r) => r.kind === 'ok' || r.kind === 'transient' || r.kind === 'timed_out');
  claim(
    settled.result.polls === counted.length,
    FAULTS,
    () => `polls ${settled.result.polls}, but ${counted.length} reads were answered, failed ones included`,
  );
  const { outcome } = settled.result;
  if (outcome !== 'aborted' && (last?.kind === 'transient' || last?.kind === 'timed_out')) {
    claim(
      (outcome === 'timed_out' || outcome === 'not_found') && settled.at >= o.deadline,
      FAULTS,
      () =>
        `a ${last.kind} read ended the wait: ${outcome} at ${rel(o, settled.at)}, deadline ${rel(o, o.deadline)}`,
    );
  }
});

export const PROPERTIES = {
  neverEarly,
  neverLate,
  waitedFromClock,
  readSchedule,
  quietAfterSettling,
  abortIsPromptAndQuiet,
  faultsHandled,
};

export type PropertyName = keyof typeof PROPERTIES;
