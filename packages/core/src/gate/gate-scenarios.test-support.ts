/**
 * Test-only: random scenarios for the gate's property tests, and a deterministic world that plays one scenario
 * against any `CompactionGate` on a `VirtualClock`, with an `fc.scheduler()` choosing the order of everything
 * that happens at the same virtual instant (a read returning, a transition, the gate waking up, an abort).
 */
import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { type CompactionRun, type CompactionRunKey, newCompactionRun } from '../domain/compaction-run.js';
import type { CompactionCollection, CompactionState } from '../domain/compaction-state.js';
import { toTimestamp } from '../domain/timestamps.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import type { Clock } from '../ports/clock.js';
import type { CompactionGate, GateResult } from '../ports/compaction-gate.js';
import type {
  CollectionTransition,
  CompactionRunRepository,
  ReadOptions,
  TransitionResult,
} from '../ports/compaction-run-repository.js';
import { type FaultKind, InjectedPermanentError } from '../testing/fault-injector.js';
import { InMemoryCompactionRunRepository } from '../testing/in-memory-compaction-run-repository.js';
import { mulberry32 } from '../testing/mulberry32.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import { type GatePolicy, resolveGatePolicy, SEED_GATE_POLICY } from './gate-policy.js';

export const RUN_KEY: CompactionRunKey = {
  imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  receiptId: 1,
  runId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
};

/** What a gate under test is built from; the same factory shape builds the real gate and the broken ones. */
export interface GateDeps {
  readonly runs: CompactionRunRepository;
  readonly clock: Clock;
  readonly random: () => number;
}
export type GateFactory = (deps: GateDeps, policy: GatePolicy) => CompactionGate;

// ---------------------------------------------------------------------------------------------------------
// Scenarios. All times are ms relative to t0, the moment the wait starts; a negative time means "before t0".

/** One collection's life: PROCESSING at `processingAt`, then COMPLETED or FAILED at `end.at`; absent: never. */
export interface CollectionTimeline {
  readonly processingAt?: number;
  readonly end?: { readonly at: number; readonly to: 'COMPLETED' | 'FAILED' };
}

/** How read number i behaves (reads past the plan use `defaultRead`). */
export interface ReadPlan {
  readonly latencyMs: number;
  readonly fault?: FaultKind;
}

export type AbortPlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'before-start' }
  | { readonly kind: 'at'; readonly atMs: number }
  /** At the instant read number `read` returns (or fails, or times out): the abort races that read. */
  | { readonly kind: 'at-read-end'; readonly read: number };

export interface Scenario {
  readonly policy: GatePolicy;
  /** The caller's `deadlineAt`, relative to t0. */
  readonly deadlineInMs?: number;
  /** When the run is written (negative: before t0); absent: never. */
  readonly createdAt?: number;
  readonly lines: CollectionTimeline;
  readonly words: CollectionTimeline;
  readonly reads: readonly ReadPlan[];
  readonly defaultRead: ReadPlan;
  readonly abort: AbortPlan;
  /** Seeds the gate's jitter source. */
  readonly randomSeed: number;
}

export const ERROR_TEXT: Readonly<Record<CompactionCollection, string>> = {
  lines: 'lines delta missing',
  words: 'words snapshot locked',
};

const COLLECTIONS = ['lines', 'words'] as const;

/** Effective deadline, absolute: the policy's, or the caller's if earlier. */
export function deadlineOf(scenario: Scenario, t0: number): number {
  return Math.min(t0 + scenario.policy.maxWaitMs, t0 + (scenario.deadlineInMs ?? Number.POSITIVE_INFINITY));
}

/** The longest sleep the policy can produce between two reads (backoff included). */
export function longestIntervalMs(policy: GatePolicy): number {
  return Math.max(policy.pollIntervalMs, policy.backoff?.maxIntervalMs ?? 0);
}

/**
 * The states the timeline gives at `atMs` (relative), counting changes made at exactly `atMs` or not; undefined
 * while the run does not exist.
 */
export function statesAt(
  scenario: Scenario,
  atMs: number,
  inclusive: boolean,
): { lines: CompactionState; words: CompactionState } | undefined {
  const happened = (t: number | undefined) => t !== undefined && (inclusive ? t <= atMs : t < atMs);
  if (!happened(scenario.createdAt)) return undefined;
  const stateOf = (timeline: CollectionTimeline): CompactionState => {
    if (timeline.end && happened(timeline.end.at)) return timeline.end.to;
    return happened(timeline.processingAt) ? 'PROCESSING' : 'PENDING';
  };
  return { lines: stateOf(scenario.lines), words: stateOf(scenario.words) };
}

/**
 * When the timeline decides the wait (relative): the first FAILED, or the moment both are COMPLETED, with the
 * outcome a gate reading after it must report; undefined when it never decides.
 */
export function decisionOf(
  scenario: Scenario,
): { atMs: number; outcome: 'completed' | 'failed' } | undefined {
  if (scenario.createdAt === undefined) return undefined;
  const ends = COLLECTIONS.map((c) => scenario[c].end);
  const failures = ends.flatMap((end) => (end?.to === 'FAILED' ? [end.at] : []));
  const completions = ends.flatMap((end) => (end?.to === 'COMPLETED' ? [end.at] : []));
  const failedAt = failures.length > 0 ? Math.min(...failures) : Number.POSITIVE_INFINITY;
  const completedAt = completions.length === 2 ? Math.max(...completions) : Number.POSITIVE_INFINITY;
  if (failedAt === Number.POSITIVE_INFINITY && completedAt === Number.POSITIVE_INFINITY) return undefined;
  return failedAt <= completedAt
    ? { atMs: failedAt, outcome: 'failed' }
    : { atMs: completedAt, outcome: 'completed' };
}

export interface ScenarioOptions {
  /** How often the caller aborts (default 'sometimes'). */
  readonly abort?: 'never' | 'sometimes' | 'always';
  /** How faulty reads are: 'none', 'some' (half the scenarios clean), 'many' (default 'some'). */
  readonly faults?: 'none' | 'some' | 'many';
}

const seedPolicy = fc.constant<GatePolicy>(SEED_GATE_POLICY);

/** A whole number of ms, uniform (no bias towards small values: times are spread over the whole wait). */
const uniformMs = (min: number, max: number) => fc.noBias(fc.integer({ min, max }));

// At most ~25 reads per wait for random policies (the seed policy makes 61), to keep 200 runs cheap.
const randomPolicy: fc.Arbitrary<GatePolicy> = fc
  .record({
    pollIntervalMs: uniformMs(50, 3_000),
    intervals: uniformMs(0, 25),
    extraPermille: uniformMs(1, 999),
    gracePermille: fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 5, arbitrary: uniformMs(0, 1_500) },
    ),
    // Often a whole number of intervals, so a read falls exactly at the end of the grace period.
    graceIntervals: fc.option(uniformMs(1, 12), { freq: 2 }),
    pollTimeoutMs: uniformMs(50, 3_000),
    backoff: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      {
        weight: 2,
        arbitrary: fc.record({
          quarters: uniformMs(4, 12),
          capIntervals: uniformMs(1, 6),
          jitter: fc.boolean(),
        }),
      },
    ),
  })
  .map(
    ({ pollIntervalMs, intervals, extraPermille, gracePermille, graceIntervals, pollTimeoutMs, backoff }) => {
      const maxWaitMs = pollIntervalMs * intervals + Math.ceil((pollIntervalMs * extraPermille) / 1_000);
      return resolveGatePolicy({
        pollIntervalMs,
        maxWaitMs,
        notFoundGraceMs:
          graceIntervals === null
            ? Math.floor((maxWaitMs * gracePermille) / 1_000)
            : pollIntervalMs * graceIntervals,
        pollTimeoutMs,
        ...(backoff && {
          backoff: {
            multiplier: backoff.quarters / 4,
            maxIntervalMs: pollIntervalMs * backoff.capIntervals,
            jitter: backoff.jitter,
          },
        }),
      });
    },
  );

/** A time in [from, to]; a third of them on the poll grid, where they tie with reads. */
function timeIn(policy: GatePolicy, from: number, to: number): fc.Arbitrary<number> {
  const grid = policy.pollIntervalMs;
  const [first, last] = [Math.ceil(from / grid), Math.floor(to / grid)];
  if (last < first) return uniformMs(from, to);
  return fc.oneof(
    { weight: 2, arbitrary: uniformMs(from, to) },
    { weight: 1, arbitrary: uniformMs(first, last).map((k) => k * grid) },
  );
}

type Fate = { readonly lines: CollectionTimeline; readonly words: CollectionTimeline };

/** What happens to the run's two collections: mostly decided during the wait, sometimes late, or never. */
function fateArb(policy: GatePolicy): fc.Arbitrary<Fate> {
  const { maxWaitMs } = policy;
  const early = fc.oneof(
    { weight: 1, arbitrary: fc.constant(-1) },
    { weight: 3, arbitrary: timeIn(policy, 0, maxWaitMs) },
  );
  const late = timeIn(policy, Math.floor(maxWaitMs * 0.8), Math.ceil(maxWaitMs * 1.5));
  const ends = (to: 'COMPLETED' | 'FAILED', at: fc.Arbitrary<number>) =>
    fc
      .tuple(early, at)
      .map(([p, e]): CollectionTimeline => ({ processingAt: Math.min(p, e), end: { at: e, to } }));
  const stuck = fc.oneof(
    fc.constant<CollectionTimeline>({}),
    early.map((p): CollectionTimeline => ({ processingAt: p })),
  );
  const pair = (a: fc.Arbitrary<CollectionTimeline>, b: fc.Arbitrary<CollectionTimeline>) =>
    fc
      .tuple(a, b, fc.boolean())
      .map(([x, y, swap]): Fate => (swap ? { lines: y, words: x } : { lines: x, words: y }));
  return fc.oneof(
    { weight: 5, arbitrary: pair(ends('COMPLETED', early), ends('COMPLETED', early)) },
    {
      weight: 2,
      arbitrary: pair(
        ends('FAILED', early),
        fc.oneof(ends('COMPLETED', early), ends('FAILED', early), ends('COMPLETED', late), stuck),
      ),
    },
    {
      weight: 1,
      arbitrary: pair(
        ends('COMPLETED', late),
        fc.oneof(ends('COMPLETED', early), ends('COMPLETED', late), ends('FAILED', late)),
      ),
    },
    { weight: 1, arbitrary: pair(stuck, fc.oneof(stuck, ends('COMPLETED', early))) },
  );
}

/** Nothing happens to a collection before the run exists. */
function afterCreation(timeline: CollectionTimeline, createdAt: number): CollectionTimeline {
  if (timeline.processingAt === undefined) return {};
  const processingAt = Math.max(createdAt, timeline.processingAt);
  return timeline.end
    ? { processingAt, end: { at: Math.max(processingAt, timeline.end.at), to: timeline.end.to } }
    : { processingAt };
}

function latencyArb(policy: GatePolicy): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 8, arbitrary: uniformMs(1, 400) },
    // Slower than the read timeout (the read is abandoned), or exactly as slow (it races the timeout).
    { weight: 1, arbitrary: uniformMs(policy.pollTimeoutMs, policy.pollTimeoutMs + 500) },
    { weight: 1, arbitrary: fc.constant(policy.pollTimeoutMs) },
  );
}

/** Percent of reads that fail transiently, that hang, and whether (and at which read) a permanent fault hits. */
interface FaultProfile {
  readonly transientPct: number;
  readonly hangPct: number;
  readonly permanentAt?: number;
}

function faultProfileArb(faults: 'none' | 'some' | 'many'): fc.Arbitrary<FaultProfile> {
  const none = fc.constant<FaultProfile>({ transientPct: 0, hangPct: 0 });
  const faulty = (transient: number[], hang: number[], permanentPct: number) =>
    fc.record({
      transientPct: fc.constantFrom(...transient),
      hangPct: fc.constantFrom(...hang),
      permanentAt: fc.oneof(
        { weight: 100 - permanentPct, arbitrary: fc.constant(undefined) },
        { weight: permanentPct, arbitrary: uniformMs(0, 12) },
      ),
    });
  if (faults === 'none') return none;
  if (faults === 'many') return faulty([10, 30, 60], [5, 15], 40);
  return fc.oneof(none, faulty([0, 10, 25], [0, 5, 15], 10));
}

function abortArb(policy: GatePolicy, abort: 'never' | 'sometimes' | 'always'): fc.Arbitrary<AbortPlan> {
  const some = fc.oneof(
    { weight: 1, arbitrary: fc.constant<AbortPlan>({ kind: 'before-start' }) },
    {
      weight: 4,
      arbitrary: timeIn(policy, 0, Math.ceil(policy.maxWaitMs * 1.2)).map(
        (atMs): AbortPlan => ({ kind: 'at', atMs }),
      ),
    },
    { weight: 4, arbitrary: uniformMs(0, 15).map((read): AbortPlan => ({ kind: 'at-read-end', read })) },
  );
  if (abort === 'never') return fc.constant({ kind: 'none' });
  if (abort === 'always') return some;
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<AbortPlan>({ kind: 'none' }) },
    { weight: 1, arbitrary: some },
  );
}

export function scenarioArb(options: ScenarioOptions = {}): fc.Arbitrary<Scenario> {
  const { abort = 'sometimes', faults = 'some' } = options;
  return fc
    .oneof({ weight: 1, arbitrary: seedPolicy }, { weight: 4, arbitrary: randomPolicy })
    .chain((policy) =>
      fc
        .record({
          deadlineInMs: fc.oneof(
            { weight: 6, arbitrary: fc.constant(undefined) },
            { weight: 3, arbitrary: timeIn(policy, 0, policy.maxWaitMs + policy.pollIntervalMs) },
            // Already past when the wait starts: one read, at once, and no other.
            { weight: 1, arbitrary: uniformMs(-policy.pollIntervalMs, -1) },
          ),
          createdAt: fc.oneof(
            { weight: 7, arbitrary: fc.constant(-1) },
            // A moment late (within the grace period: the gate must wait for it), or any time.
            { weight: 2, arbitrary: timeIn(policy, 0, policy.notFoundGraceMs) },
            { weight: 1, arbitrary: timeIn(policy, 0, Math.ceil(policy.maxWaitMs * 1.2)) },
            { weight: 1, arbitrary: fc.constant(undefined) },
          ),
          fate: fateArb(policy),
          faults: faultProfileArb(faults),
          // A third of the scenarios answer every read at once, so reads stay on the poll grid (and tie with it).
          instant: fc.oneof(
            { weight: 2, arbitrary: fc.constant(false) },
            { weight: 1, arbitrary: fc.constant(true) },
          ),
          reads: fc.array(fc.record({ latencyMs: latencyArb(policy), draw: uniformMs(0, 99) }), {
            maxLength: 40,
          }),
          defaultLatencyMs: latencyArb(policy),
          abort: abortArb(policy, abort),
          randomSeed: fc.noShrink(fc.integer()),
        })
        .map(
          ({
            deadlineInMs,
            createdAt,
            fate,
            faults,
            instant,
            reads,
            defaultLatencyMs,
            ...rest
          }): Scenario => ({
            policy,
            ...(deadlineInMs !== undefined && { deadlineInMs }),
            ...(createdAt !== undefined && { createdAt }),
            lines: createdAt === undefined ? {} : afterCreation(fate.lines, createdAt),
            words: createdAt === undefined ? {} : afterCreation(fate.words, createdAt),
            reads: reads.map(({ latencyMs: drawnMs, draw }, i) => {
              const latencyMs = instant ? 0 : drawnMs;
              const fault: FaultKind | undefined =
                i === faults.permanentAt
                  ? 'permanent'
                  : draw < faults.transientPct
                    ? 'transient'
                    : draw < faults.transientPct + faults.hangPct
                      ? 'hang'
                      : undefined;
              return fault ? { latencyMs, fault } : { latencyMs };
            }),
            defaultRead: { latencyMs: instant ? 0 : defaultLatencyMs },
            ...rest,
          }),
        ),
    );
}

// ---------------------------------------------------------------------------------------------------------
// The world a scenario is played in.

const MICROTASK_TURNS = 200;

async function settleMicrotasks(): Promise<void> {
  for (let turn = 0; turn < MICROTASK_TURNS; turn++) await Promise.resolve();
}

/** `work`, unless `signal` aborts first (then its reason); the listener is removed either way. */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * A Clock over the VirtualClock whose sleepers, once their timer has fired, resume only when the scheduler
 * says so: that is how the scheduler orders work due at the same instant. An abort still rejects at once.
 */
class ScheduledClock implements Clock {
  readonly #clock: VirtualClock;
  readonly #scheduler: fc.Scheduler;
  readonly #label: string;

  constructor(clock: VirtualClock, scheduler: fc.Scheduler, label: string) {
    this.#clock = clock;
    this.#scheduler = scheduler;
    this.#label = label;
  }

  now(): number {
    return this.#clock.now();
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.#clock.sleep(ms, signal);
    if (ms <= 0) return;
    await unlessAborted(this.#scheduler.schedule(Promise.resolve(), `${this.#label} after ${ms} ms`), signal);
  }
}

export type ReadEnd = 'pending' | 'ok' | 'transient' | 'permanent' | 'timed_out' | 'aborted';

/** One read the gate made, as the store saw it. */
export interface ReadRecord {
  readonly start: number;
  end?: number;
  kind: ReadEnd;
  /** What an `ok` read returned. */
  run?: CompactionRun | undefined;
}

/**
 * The in-memory repository, playing the scenario's read plan (latency and fault of each read) and recording
 * every read: when it started, when and how it ended, what it returned. A read asked with an already-aborted
 * signal is refused before anything is sent, so it is not a read.
 */
class PlannedRunRepository implements CompactionRunRepository {
  readonly log: ReadRecord[] = [];
  readonly store: InMemoryCompactionRunRepository;
  /** Latencies of the reads on their way to the store; it draws one per read that passes the fault stage. */
  readonly #latencies: number[] = [];
  readonly #clock: Clock;
  readonly #plan: (read: number) => ReadPlan;
  readonly #callerSignal: AbortSignal;
  readonly #onReadStart: (read: number, record: ReadRecord, plan: ReadPlan) => void;

  constructor(options: {
    clock: Clock;
    plan: (read: number) => ReadPlan;
    callerSignal: AbortSignal;
    onReadStart: (read: number, record: ReadRecord, plan: ReadPlan) => void;
  }) {
    this.#clock = options.clock;
    this.#plan = options.plan;
    this.#callerSignal = options.callerSignal;
    this.#onReadStart = options.onReadStart;
    this.store = new InMemoryCompactionRunRepository({
      clock: options.clock,
      readLatencyMs: () => this.#latencies.shift() ?? 0,
    });
  }

  async getCompactionRun(
    key: CompactionRunKey,
    options: ReadOptions = {},
  ): Promise<CompactionRun | undefined> {
    const { signal } = options;
    if (signal?.aborted) throw signal.reason;
    const index = this.log.length;
    const plan = this.#plan(index);
    const record: ReadRecord = { start: this.#clock.now(), kind: 'pending' };
    this.log.push(record);
    this.#onReadStart(index, record, plan);
    if (plan.fault) this.store.readFaults.failNext(1, plan.fault);
    else this.#latencies.push(plan.latencyMs);
    try {
      const run = await this.store.getCompactionRun(key, options);
      // Aborted at the very instant the answer arrived: the caller has already let go of this read.
      signal?.throwIfAborted();
      record.kind = 'ok';
      record.run = run;
      return run;
    } catch (error) {
      // The read's own signal first: the gate's read timeout may well be a TransientStoreError itself.
      record.kind =
        error instanceof InjectedPermanentError
          ? 'permanent'
          : signal?.aborted
            ? this.#callerSignal.aborted
              ? 'aborted'
              : 'timed_out'
            : error instanceof TransientStoreError
              ? 'transient'
              : 'permanent';
      throw error;
    } finally {
      record.end = this.#clock.now();
    }
  }

  createCompactionRun(run: CompactionRun): Promise<void> {
    return this.store.createCompactionRun(run);
  }

  transitionCollection(
    key: CompactionRunKey,
    collection: CompactionCollection,
    transition: CollectionTransition,
  ): Promise<TransitionResult> {
    return this.store.transitionCollection(key, collection, transition);
  }
}

/** Everything a property may need to know about one played scenario (times are absolute, epoch ms). */
export interface Observation {
  readonly scenario: Scenario;
  readonly t0: number;
  /** Effective deadline (may be before t0 when the caller's was already past). */
  readonly deadline: number;
  /** Read starts as the in-memory repository recorded them. */
  readonly readTimes: readonly number[];
  readonly reads: readonly ReadRecord[];
  /** How the wait settled; absent when it never did (a liveness failure). */
  readonly settled?:
    | { readonly kind: 'resolved'; readonly at: number; readonly result: GateResult }
    | { readonly kind: 'rejected'; readonly at: number; readonly error: unknown };
  /** Reads started and timers pending at the instant the wait settled (once that instant's work was done). */
  readonly readsAtSettle: number;
  readonly timersAtSettle: number;
  /** Abort listeners the gate left on the caller's signal when it settled. */
  readonly listenersAtSettle: number;
  /** The same, after a long quiet stretch of virtual time past settling. */
  readonly readsAfterQuiet: number;
  readonly timersAfterQuiet: number;
  /** When the caller aborted, how many reads had started then, and whether the wait had already settled. */
  readonly abort?: { readonly at: number; readonly readsBefore: number; readonly afterSettle: boolean };
  /** Why the wait never settled: nothing left to wait for, or still waiting past the horizon. */
  readonly stuck?: string;
}

interface WorldEvent {
  readonly at: number;
  readonly label: string;
  readonly apply: () => Promise<void> | void;
}

/** The timeline's changes to the run, grouped per instant so a run is never transitioned before it exists. */
function timelineEvents(scenario: Scenario, runs: CompactionRunRepository, t0: number): WorldEvent[] {
  const changes: { at: number; label: string; apply: () => Promise<unknown> }[] = [];
  const { createdAt } = scenario;
  if (createdAt === undefined) return [];
  const stamp = (at: number) => toTimestamp(t0 + Math.max(at, -1));
  changes.push({
    at: createdAt,
    label: 'run created',
    apply: () =>
      runs.createCompactionRun(
        newCompactionRun({
          ...RUN_KEY,
          linesDeltaPrefix: 'lines/',
          wordsDeltaPrefix: 'words/',
          createdAt: stamp(createdAt),
        }),
      ),
  });
  for (const collection of COLLECTIONS) {
    const { processingAt, end } = scenario[collection];
    if (processingAt !== undefined) {
      changes.push({
        at: processingAt,
        label: `${collection} PROCESSING`,
        apply: () =>
          runs.transitionCollection(RUN_KEY, collection, { to: 'PROCESSING', at: stamp(processingAt) }),
      });
    }
    if (end) {
      const transition: CollectionTransition =
        end.to === 'COMPLETED'
          ? { to: 'COMPLETED', at: stamp(end.at), mergedVectors: 3 }
          : { to: 'FAILED', at: stamp(end.at), error: ERROR_TEXT[collection] };
      changes.push({
        at: end.at,
        label: `${collection} ${end.to}`,
        apply: () => runs.transitionCollection(RUN_KEY, collection, transition),
      });
    }
  }
  // Stable sort: at one instant, creation first, then PROCESSING before an end.
  changes.sort((a, b) => a.at - b.at);
  const instants = [...new Set(changes.map((c) => c.at))];
  return instants.map((at) => {
    const due = changes.filter((c) => c.at === at);
    return {
      at: t0 + at,
      label: due.map((c) => c.label).join(' + '),
      apply: async () => {
        for (const change of due) await change.apply();
      },
    };
  });
}

/** Plays `scenario` against the gate `factory` builds, with `scheduler` ordering same-instant work. */
export async function observe(
  factory: GateFactory,
  scenario: Scenario,
  scheduler: fc.Scheduler,
): Promise<Observation> {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const { policy } = scenario;
  const deadline = deadlineOf(scenario, t0);
  const caller = new AbortController();
  const events: WorldEvent[] = [];
  const addEvent = (event: WorldEvent) => {
    const index = events.findIndex((e) => e.at > event.at);
    events.splice(index === -1 ? events.length : index, 0, event);
  };

  let abort: { at: number; readsBefore: number; afterSettle: boolean } | undefined;
  let settled: Observation['settled'];
  const abortEvent = (at: number): WorldEvent => ({
    at,
    label: 'caller aborts',
    apply: () => {
      abort = { at: clock.now(), readsBefore: runs.log.length, afterSettle: settled !== undefined };
      caller.abort(new Error('caller aborted'));
    },
  });

  const runs: PlannedRunRepository = new PlannedRunRepository({
    clock: new ScheduledClock(clock, scheduler, 'read returns'),
    plan: (read) => scenario.reads[read] ?? scenario.defaultRead,
    callerSignal: caller.signal,
    onReadStart: (read, record, plan) => {
      if (scenario.abort.kind !== 'at-read-end' || scenario.abort.read !== read) return;
      const lasts =
        plan.fault === 'transient' || plan.fault === 'permanent'
          ? 0
          : plan.fault === 'hang'
            ? policy.pollTimeoutMs
            : Math.min(plan.latencyMs, policy.pollTimeoutMs);
      addEvent(abortEvent(record.start + lasts));
    },
  });

  const timeline = timelineEvents(scenario, runs, t0);
  for (const event of timeline) {
    if (event.at < t0) await event.apply();
    else addEvent(event);
  }
  if (scenario.abort.kind === 'at') addEvent(abortEvent(t0 + scenario.abort.atMs));
  if (scenario.abort.kind === 'before-start') {
    abort = { at: t0, readsBefore: 0, afterSettle: false };
    caller.abort(new Error('caller aborted before the wait'));
  }

  const gate = factory(
    {
      runs,
      clock: new ScheduledClock(clock, scheduler, 'gate wakes'),
      random: mulberry32(scenario.randomSeed),
    },
    policy,
  );
  let readsAtSettle = 0;
  let listenersAtSettle = 0;
  const waiting = gate.waitForCompaction(RUN_KEY, {
    signal: caller.signal,
    ...(scenario.deadlineInMs !== undefined && { deadlineAt: t0 + scenario.deadlineInMs }),
  });
  waiting.then(
    (result) => {
      settled = { kind: 'resolved', at: clock.now(), result };
      readsAtSettle = runs.log.length;
      listenersAtSettle = getEventListeners(caller.signal, 'abort').length;
    },
    (error: unknown) => {
      settled = { kind: 'rejected', at: clock.now(), error };
      readsAtSettle = runs.log.length;
      listenersAtSettle = getEventListeners(caller.signal, 'abort').length;
    },
  );

  /**
   * Runs the world until `done()` (checked only once all work of the current instant is done) or until the
   * next thing to happen is past `until`. Returns why it stopped early, if it did.
   */
  const drive = async (done: () => boolean, until: number): Promise<string | undefined> => {
    for (;;) {
      await settleMicrotasks();
      if (scheduler.count() > 0) {
        await scheduler.waitNext(1);
        continue;
      }
      if (done()) return undefined;
      const nextTimer = clock.nextTimerAt() ?? Number.POSITIVE_INFINITY;
      const nextEvent = events[0]?.at ?? Number.POSITIVE_INFINITY;
      const next = Math.min(nextTimer, nextEvent);
      if (next === Number.POSITIVE_INFINITY) return 'nothing left to happen (no timer, no event)';
      if (next > until) {
        await clock.advance(until - clock.now());
        return `still waiting at ${until - t0} ms`;
      }
      await clock.advance(next - clock.now());
      while (events[0] && events[0].at <= clock.now()) {
        const event = events.shift() as WorldEvent;
        void scheduler.schedule(Promise.resolve(), event.label).then(event.apply);
      }
    }
  };

  const slack = policy.maxWaitMs + policy.pollTimeoutMs + longestIntervalMs(policy);
  const stuck = await drive(() => settled !== undefined, Math.max(deadline, t0) + 4 * slack);
  const timersAtSettle = clock.pendingTimers();
  if (stuck === undefined) await drive(() => false, clock.now() + 2 * slack);
  return {
    scenario,
    t0,
    deadline,
    readTimes: [...runs.store.readTimes],
    reads: runs.log,
    ...(settled && { settled }),
    readsAtSettle,
    timersAtSettle,
    listenersAtSettle,
    readsAfterQuiet: runs.log.length,
    timersAfterQuiet: clock.pendingTimers(),
    ...(abort && { abort }),
    ...(stuck !== undefined && { stuck }),
  };
}
