import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { newCompactionRun } from '../domain/compaction-run.js';
import type { CompactionCollection } from '../domain/compaction-state.js';
import { toTimestamp } from '../domain/timestamps.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import type { CollectionTransition } from '../ports/compaction-run-repository.js';
import { InjectedPermanentError } from '../testing/fault-injector.js';
import { InMemoryCompactionRunRepository } from '../testing/in-memory-compaction-run-repository.js';
import { RecordingTelemetry } from '../testing/recording-telemetry.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import { PollingCompactionGate } from './polling-compaction-gate.js';

const key = {
  imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  receiptId: 1,
  runId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
};

function setup(options: { latencyMs?: number } = {}) {
  const clock = new VirtualClock();
  const runs = new InMemoryCompactionRunRepository({ clock, readLatencyMs: options.latencyMs ?? 0 });
  const t0 = clock.now();
  const at = (ms: number) => toTimestamp(t0 + ms);
  const create = () =>
    runs.createCompactionRun(
      newCompactionRun({ ...key, linesDeltaPrefix: 'lines/', wordsDeltaPrefix: 'words/', createdAt: at(0) }),
    );
  /** Applies `transition` to `collection` once the clock reaches t0 + ms. */
  const schedule = (
    ms: number,
    collection: CompactionCollection,
    transition: (at: string) => CollectionTransition,
  ) => clock.sleep(ms).then(() => runs.transitionCollection(key, collection, transition(at(ms))));
  const completeAt = (ms: number, startMs = 0) => {
    for (const collection of ['lines', 'words'] as const) {
      void schedule(startMs, collection, (t) => ({ to: 'PROCESSING', at: t }));
      void schedule(ms, collection, (t) => ({ to: 'COMPLETED', at: t, mergedVectors: 3 }));
    }
  };
  const secondsOf = (times: number[]) => times.map((t) => (t - t0) / 1000);
  return { clock, runs, t0, create, schedule, completeAt, secondsOf };
}

describe('PollingCompactionGate with the seed policy', () => {
  it('reads at 0, 2, ..., 120 s (61 reads) for a run that never completes, then times out with no timer left', async () => {
    const { clock, runs, create, secondsOf } = setup();
    await create();
    const gate = new PollingCompactionGate({ runs, clock });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result.outcome).toBe('timed_out');
    expect(result.waitedMs).toBe(120_000);
    expect(result.polls).toBe(61);
    expect(runs.reads).toBe(61);
    expect(secondsOf(runs.readTimes)).toEqual(Array.from({ length: 61 }, (_, i) => i * 2));
    expect(clock.pendingTimers()).toBe(0);
  });

  it('releases at 38 s a run that completes at 37.3 s', async () => {
    const { clock, runs, create, completeAt } = setup();
    await create();
    completeAt(37_300);
    const gate = new PollingCompactionGate({ runs, clock });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result).toMatchObject({ outcome: 'completed', waitedMs: 38_000, polls: 20 });
    expect(result.run?.linesState).toBe('COMPLETED');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('releases `failed` at 6 s, with the error text, a run that fails at 5 s', async () => {
    const { clock, runs, create, schedule } = setup();
    await create();
    void schedule(0, 'words', (at) => ({ to: 'PROCESSING', at }));
    void schedule(5_000, 'words', (at) => ({ to: 'FAILED', at, error: 'delta missing' }));
    const gate = new PollingCompactionGate({ runs, clock });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result).toMatchObject({
      outcome: 'failed',
      waitedMs: 6_000,
      polls: 4,
      error: 'words: delta missing',
    });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('ends the wait at a caller deadline of 30 s, with a final read exactly at it', async () => {
    const { clock, runs, t0, create, secondsOf } = setup();
    await create();
    const gate = new PollingCompactionGate({ runs, clock });
    const result = await clock.run(gate.waitForCompaction(key, { deadlineAt: t0 + 30_000 }));
    expect(result).toMatchObject({ outcome: 'timed_out', waitedMs: 30_000, polls: 16 });
    expect(secondsOf(runs.readTimes).at(-1)).toBe(30);
  });

  it('sleeps only up to the deadline when the next interval would overshoot it', async () => {
    const { clock, runs, t0, create, secondsOf } = setup();
    await create();
    const gate = new PollingCompactionGate({ runs, clock });
    await clock.run(gate.waitForCompaction(key, { deadlineAt: t0 + 5_000 }));
    expect(secondsOf(runs.readTimes)).toEqual([0, 2, 4, 5]);
  });

  it('measures waitedMs by the clock, so slow reads do not stretch the wait past the deadline', async () => {
    const { clock, runs, create, secondsOf } = setup({ latencyMs: 700 });
    await create();
    const gate = new PollingCompactionGate({ runs, clock });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result.outcome).toBe('timed_out');
    expect(result.waitedMs).toBeLessThanOrEqual(120_000 + 700);
    expect(secondsOf(runs.readTimes).every((t) => t <= 120)).toBe(true);
    expect(result.polls).toBeLessThan(61);
  });
});

describe('PollingCompactionGate edge cases', () => {
  it('returns `not_found` once the grace period passes without the run ever appearing', async () => {
    const { clock, runs } = setup();
    const gate = new PollingCompactionGate({ runs, clock }, { notFoundGraceMs: 5_000 });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result).toMatchObject({ outcome: 'not_found', waitedMs: 6_000, polls: 4 });
  });

  it('keeps waiting for a run that appears within the grace period', async () => {
    const { clock, runs, create, completeAt } = setup();
    void clock.sleep(3_000).then(create);
    completeAt(9_000, 3_000);
    const gate = new PollingCompactionGate({ runs, clock }, { notFoundGraceMs: 5_000 });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result).toMatchObject({ outcome: 'completed', waitedMs: 10_000 });
  });

  it('counts a transient read failure as a poll and goes on waiting', async () => {
    const { clock, runs, create, completeAt } = setup();
    await create();
    completeAt(1_000);
    runs.readFaults.failNext(1, 'transient');
    const gate = new PollingCompactionGate({ runs, clock });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result).toMatchObject({ outcome: 'completed', waitedMs: 2_000, polls: 2 });
  });

  it('throws a permanent read failure instead of waiting on it', async () => {
    const { clock, runs, create } = setup();
    await create();
    runs.readFaults.failNext(1, 'permanent');
    const gate = new PollingCompactionGate({ runs, clock });
    await expect(clock.run(gate.waitForCompaction(key))).rejects.toBeInstanceOf(InjectedPermanentError);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('abandons a read that outlives pollTimeoutMs and counts it as a transient failure', async () => {
    const { clock, runs, create, completeAt } = setup();
    await create();
    completeAt(1_000);
    runs.readFaults.failNext(1, 'hang');
    const gate = new PollingCompactionGate({ runs, clock }, { pollTimeoutMs: 3_000 });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result).toMatchObject({ outcome: 'completed', waitedMs: 5_000, polls: 2 });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('returns `aborted` without reading when the signal is already aborted', async () => {
    const { clock, runs, create } = setup();
    await create();
    const gate = new PollingCompactionGate({ runs, clock });
    const result = await gate.waitForCompaction(key, { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ outcome: 'aborted', polls: 0, waitedMs: 0 });
    expect(runs.reads).toBe(0);
  });

  it('settles `aborted` at once on abort mid-sleep and mid-read, leaving no timer and making no further read', async () => {
    for (const fault of ['none', 'hang'] as const) {
      const { clock, runs, create } = setup();
      await create();
      if (fault === 'hang') runs.readFaults.failNext(1, 'hang');
      const controller = new AbortController();
      const gate = new PollingCompactionGate({ runs, clock });
      const waiting = gate.waitForCompaction(key, { signal: controller.signal });
      await clock.advance(1_000);
      controller.abort();
      const result = await clock.run(waiting);
      expect(result).toMatchObject({ outcome: 'aborted', waitedMs: 1_000, polls: fault === 'hang' ? 0 : 1 });
      expect(clock.pendingTimers()).toBe(0);
      await clock.advance(10_000);
      expect(runs.reads).toBe(1);
    }
  });

  it('grows the interval with capped exponential backoff, jittered by the injected random source', async () => {
    const { clock, runs, create, secondsOf } = setup();
    await create();
    const backoff = { multiplier: 2, maxIntervalMs: 16_000, jitter: false };
    const gate = new PollingCompactionGate({ runs, clock }, { backoff, maxWaitMs: 60_000 });
    await clock.run(gate.waitForCompaction(key));
    expect(secondsOf(runs.readTimes)).toEqual([0, 2, 6, 14, 30, 46, 60]);

    const jittered = setup();
    await jittered.create();
    const half = new PollingCompactionGate(
      { runs: jittered.runs, clock: jittered.clock, random: () => 0.5 },
      { backoff: { ...backoff, jitter: true }, maxWaitMs: 20_000 },
    );
    await jittered.clock.run(half.waitForCompaction(key));
    expect(jittered.secondsOf(jittered.runs.readTimes)).toEqual([0, 2, 5, 10, 19, 20]);
  });

  it('rejects a policy that cannot work with a clear error', () => {
    const { clock, runs } = setup();
    expect(() => new PollingCompactionGate({ runs, clock }, { pollIntervalMs: 0 })).toThrow(
      'GatePolicy.pollIntervalMs: expected a positive number of ms, got 0',
    );
  });

  it('ends `not_found` at the read made exactly when the grace period ends, not one interval later', async () => {
    const { clock, runs, secondsOf } = setup();
    const gate = new PollingCompactionGate({ runs, clock }, { notFoundGraceMs: 4_000 });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result).toMatchObject({ outcome: 'not_found', waitedMs: 4_000, polls: 3 });
    expect(secondsOf(runs.readTimes)).toEqual([0, 2, 4]);
  });

  it('reports `not_found`, not `timed_out`, for a run never seen when the deadline comes before the grace period ends', async () => {
    const { clock, runs, t0 } = setup();
    const gate = new PollingCompactionGate({ runs, clock }, { notFoundGraceMs: 60_000 });
    const result = await clock.run(gate.waitForCompaction(key, { deadlineAt: t0 + 10_000 }));
    expect(result).toMatchObject({ outcome: 'not_found', waitedMs: 10_000, polls: 6 });
  });

  it('reports `timed_out` at the deadline for a run it saw, and for one it never managed to read', async () => {
    const seen = setup();
    await seen.create();
    const gate = new PollingCompactionGate({ runs: seen.runs, clock: seen.clock });
    const result = await seen.clock.run(gate.waitForCompaction(key, { deadlineAt: seen.t0 + 3_000 }));
    expect(result).toMatchObject({ outcome: 'timed_out', polls: 3 });

    const unread = setup();
    unread.runs.readFaults.failNext(3, 'transient');
    const blind = new PollingCompactionGate({ runs: unread.runs, clock: unread.clock });
    const blindResult = await unread.clock.run(
      blind.waitForCompaction(key, { deadlineAt: unread.t0 + 3_000 }),
    );
    expect(blindResult).toMatchObject({ outcome: 'timed_out', polls: 3 });
    expect(blindResult.error).toContain('injected transient fault');
  });

  it('rejects a deadline that is not a finite epoch ms, naming it, before any read', async () => {
    const { clock, runs } = setup();
    const gate = new PollingCompactionGate({ runs, clock });
    for (const deadlineAt of [Number.NaN, Number.POSITIVE_INFINITY, '30000' as unknown as number]) {
      const waiting = gate.waitForCompaction(key, { deadlineAt });
      await expect(waiting).rejects.toBeInstanceOf(InvalidValueError);
      await expect(waiting).rejects.toThrow('WaitOptions.deadlineAt: expected a finite epoch ms');
    }
    expect(runs.reads).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects a malformed run key before any read', async () => {
    const { clock, runs } = setup();
    const gate = new PollingCompactionGate({ runs, clock });
    await expect(gate.waitForCompaction({ ...key, runId: 'run-1' })).rejects.toThrow('run_id');
    await expect(gate.waitForCompaction({ ...key, receiptId: 0 })).rejects.toThrow('receipt_id');
    expect(runs.reads).toBe(0);
  });

  it('refuses a random source that is not a function', () => {
    const { clock, runs } = setup();
    expect(() => new PollingCompactionGate({ runs, clock, random: 0.5 as unknown as () => number })).toThrow(
      'PollingCompactionGateDeps.random: expected a function',
    );
  });

  it('keeps jittered intervals within the cap whatever the random source returns', async () => {
    const backoff = { multiplier: 2, maxIntervalMs: 8_000, jitter: true };
    for (const draw of [0.999_999, 1, 7, Number.NaN, -3]) {
      const { clock, runs, create, secondsOf } = setup();
      await create();
      const gate = new PollingCompactionGate(
        { runs, clock, random: () => draw },
        { backoff, maxWaitMs: 30_000 },
      );
      await clock.run(gate.waitForCompaction(key));
      const times = secondsOf(runs.readTimes);
      const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
      expect(Math.max(...gaps), `random() = ${draw}`).toBeLessThanOrEqual(8);
      expect(Math.min(...gaps.slice(0, -1)), `random() = ${draw}`).toBeGreaterThanOrEqual(2);
    }
  });

  it("leaves no listener on the caller's signal once the wait has settled", async () => {
    const { clock, runs, create, completeAt } = setup();
    await create();
    completeAt(9_000);
    const controller = new AbortController();
    const gate = new PollingCompactionGate({ runs, clock });
    const result = await clock.run(gate.waitForCompaction(key, { signal: controller.signal }));
    expect(result.polls).toBe(6);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('emits the waiting, progress and settled events and the outcome, wait and read metrics', async () => {
    const { clock, runs, create, completeAt } = setup();
    await create();
    completeAt(1_000);
    const telemetry = new RecordingTelemetry();
    const gate = new PollingCompactionGate({ runs, clock, telemetry });
    await clock.run(gate.waitForCompaction(key));
    expect(telemetry.events.map((e) => e.type)).toEqual([
      'gate.waiting',
      'gate.progress',
      'gate.progress',
      'gate.settled',
    ]);
    expect(telemetry.eventsOf('gate.waiting')[0]).toMatchObject({ deadlineInMs: 120_000 });
    expect(telemetry.eventsOf('gate.settled')[0]).toMatchObject({
      outcome: 'completed',
      waitedMs: 2_000,
      polls: 2,
    });
    expect(telemetry.metricTotal('GateOutcomeCompleted')).toBe(1);
    expect(telemetry.metricTotal('GateWaitMs')).toBe(2_000);
    expect(telemetry.metricTotal('GateReads')).toBe(2);
  });

  it('rethrows a sleep that fails without an abort, instead of taking it for one', async () => {
    const { runs, create } = setup();
    await create();
    const broken = new Error('timer backend gone');
    const clock = { now: () => 0, sleep: () => Promise.reject(broken) };
    const gate = new PollingCompactionGate({ runs, clock });
    await expect(gate.waitForCompaction(key)).rejects.toBe(broken);
    const controller = new AbortController();
    await expect(gate.waitForCompaction(key, { signal: controller.signal })).rejects.toBe(broken);
  });

  it('makes no further read when the abort lands just as a sleep ends', async () => {
    const { clock, runs, create } = setup();
    await create();
    const controller = new AbortController();
    let calls = 0;
    const counting = {
      getCompactionRun: (k: typeof key, options?: { signal?: AbortSignal }) => {
        calls++;
        return runs.getCompactionRun(k, options);
      },
      createCompactionRun: runs.createCompactionRun.bind(runs),
      transitionCollection: runs.transitionCollection.bind(runs),
    };
    const wakingAborted = {
      now: () => clock.now(),
      sleep: async (ms: number, signal?: AbortSignal) => {
        await clock.sleep(ms, signal);
        controller.abort(new Error('gone'));
      },
    };
    const gate = new PollingCompactionGate({ runs: counting, clock: wakingAborted });
    const result = await clock.run(gate.waitForCompaction(key, { signal: controller.signal }));
    expect(result).toMatchObject({ outcome: 'aborted', polls: 1, waitedMs: 2_000 });
    expect(calls).toBe(1);
  });

  it('bounds a read the repository never answers, even one deaf to its signal, and an abort during it', async () => {
    const { clock, runs, create, completeAt } = setup();
    await create();
    completeAt(1_000);
    let deaf = 1;
    const stubborn = {
      getCompactionRun: (k: typeof key) =>
        deaf-- > 0 ? new Promise<never>(() => {}) : runs.getCompactionRun(k),
      createCompactionRun: runs.createCompactionRun.bind(runs),
      transitionCollection: runs.transitionCollection.bind(runs),
    };
    const gate = new PollingCompactionGate({ runs: stubborn, clock }, { pollTimeoutMs: 3_000 });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result).toMatchObject({ outcome: 'completed', waitedMs: 5_000, polls: 2 });

    deaf = 1;
    const controller = new AbortController();
    void clock.sleep(1_000).then(() => controller.abort(new Error('gone')));
    const aborted = await clock.run(gate.waitForCompaction(key, { signal: controller.signal }));
    expect(aborted).toMatchObject({ outcome: 'aborted', polls: 0, waitedMs: 1_000 });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports the read timeout as the last error of a wait that timed out on hanging reads', async () => {
    const { clock, runs, create, t0 } = setup();
    await create();
    runs.readFaults.failNext(5, 'hang');
    const gate = new PollingCompactionGate({ runs, clock }, { pollTimeoutMs: 3_000 });
    const result = await clock.run(gate.waitForCompaction(key, { deadlineAt: t0 + 4_000 }));
    expect(result).toStrictEqual({
      outcome: 'timed_out',
      waitedMs: 7_000,
      polls: 2,
      error: 'read timed out after 3000 ms',
    });
  });
});

describe('PollingCompactionGate telemetry', () => {
  const metricNames = (telemetry: RecordingTelemetry) =>
    Object.fromEntries(telemetry.metrics.map((m) => [m.name, [m.value, m.unit]]));

  it('reports a completed wait: progress per read, settled without an error, outcome, wait and read metrics', async () => {
    const { clock, runs, create, completeAt } = setup();
    await create();
    completeAt(1_000);
    const telemetry = new RecordingTelemetry();
    const gate = new PollingCompactionGate({ runs, clock, telemetry });
    const result = await clock.run(gate.waitForCompaction(key));
    expect(result).toStrictEqual({ outcome: 'completed', waitedMs: 2_000, polls: 2, run: runs.peek(key) });
    expect(telemetry.events).toStrictEqual([
      { type: 'gate.waiting', run: key, deadlineInMs: 120_000 },
      {
        type: 'gate.progress',
        run: key,
        linesState: 'PROCESSING',
        wordsState: 'PROCESSING',
        elapsedMs: 0,
        polls: 1,
      },
      {
        type: 'gate.progress',
        run: key,
        linesState: 'COMPLETED',
        wordsState: 'COMPLETED',
        elapsedMs: 2_000,
        polls: 2,
      },
      { type: 'gate.settled', run: key, outcome: 'completed', waitedMs: 2_000, polls: 2 },
    ]);
    expect(metricNames(telemetry)).toStrictEqual({
      GateOutcomeCompleted: [1, 'Count'],
      GateWaitMs: [2_000, 'Milliseconds'],
      GateReads: [2, 'Count'],
    });
  });

  it('reports a missing run, a failed read and a failure with their texts, and each outcome by its own metric', async () => {
    const failing = setup();
    failing.runs.readFaults.failNext(1, 'transient');
    void failing.clock.sleep(1_000).then(failing.create);
    void failing.schedule(1_500, 'words', (at) => ({ to: 'PROCESSING', at }));
    void failing.schedule(1_500, 'words', (at) => ({ to: 'FAILED', at, error: 'delta missing' }));
    const telemetry = new RecordingTelemetry();
    const gate = new PollingCompactionGate({ runs: failing.runs, clock: failing.clock, telemetry });
    await failing.clock.run(gate.waitForCompaction(key));
    expect(telemetry.events.slice(1)).toStrictEqual([
      { type: 'gate.read_failed', run: key, error: 'injected transient fault in getCompactionRun', polls: 1 },
      {
        type: 'gate.progress',
        run: key,
        linesState: 'PENDING',
        wordsState: 'FAILED',
        elapsedMs: 2_000,
        polls: 2,
      },
      {
        type: 'gate.settled',
        run: key,
        outcome: 'failed',
        waitedMs: 2_000,
        polls: 2,
        error: 'words: delta missing',
      },
    ]);
    expect(metricNames(telemetry).GateOutcomeFailed).toEqual([1, 'Count']);

    const outcomes = {
      timed_out: 'GateOutcomeTimedOut',
      not_found: 'GateOutcomeNotFound',
      aborted: 'GateOutcomeAborted',
    };
    for (const [outcome, metric] of Object.entries(outcomes)) {
      const world = setup();
      if (outcome === 'timed_out') await world.create();
      const recorded = new RecordingTelemetry();
      const waiting = new PollingCompactionGate(
        { runs: world.runs, clock: world.clock, telemetry: recorded },
        { notFoundGraceMs: 0 },
      );
      const signal = outcome === 'aborted' ? AbortSignal.abort() : undefined;
      const result = await world.clock.run(
        waiting.waitForCompaction(key, { deadlineAt: world.t0 + 4_000, ...(signal && { signal }) }),
      );
      expect(result.outcome).toBe(outcome);
      expect(metricNames(recorded)[metric]).toEqual([1, 'Count']);
      if (outcome === 'not_found') {
        expect(recorded.eventsOf('gate.progress')[0]).toMatchObject({
          linesState: 'MISSING',
          wordsState: 'MISSING',
        });
      }
    }
  });
});
