import { getEventListeners } from 'node:events';
import fc from 'fast-check';
import { newCompactionRun } from '../domain/compaction-run.js';
import type { CompactionCollection } from '../domain/compaction-state.js';
import type { WordLabelName } from '../domain/label-vocabulary.js';
import { MERCHANT_CORRECTION_FIELDS, type MerchantCorrection } from '../domain/merchant-correction.js';
import { type MerchantRecord, parseMerchantRecord } from '../domain/merchant-record.js';
import { parseReceiptWord } from '../domain/receipt-text.js';
import { toTimestamp } from '../domain/timestamps.js';
import { parseWordLabel, type ReceiptWordLabel, wordLabelId } from '../domain/word-label.js';
import type { GatePolicy } from '../gate/gate-policy.js';
import { PollingCompactionGate } from '../gate/polling-compaction-gate.js';
import type { CompactionGate, GateResult } from '../ports/compaction-gate.js';
import type { CompactionRunRepository } from '../ports/compaction-run-repository.js';
import type { LabelRepository } from '../ports/label-repository.js';
import type { MerchantRecordRepository } from '../ports/merchant-record-repository.js';
import type {
  AnalyzeOptions,
  LabelProposal,
  ReceiptAnalysis,
  ReceiptAnalysisInput,
  ReceiptAnalyzer,
} from '../ports/receipt-analyzer.js';
import { InMemoryCompactionRunRepository } from '../testing/in-memory-compaction-run-repository.js';
import { InMemoryLabelRepository } from '../testing/in-memory-label-repository.js';
import { InMemoryMerchantRecordRepository } from '../testing/in-memory-merchant-record-repository.js';
import { InMemoryReceiptRepository } from '../testing/in-memory-receipt-repository.js';
import { RecordingTelemetry } from '../testing/recording-telemetry.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import { type OutcomePolicy, resolveOutcomePolicy } from './outcome-policy.js';
import type { ValidateReceiptDeps, ValidateReceiptRequest } from './validate-receipt.js';
import type { ValidationReport } from './validation-report.js';

export const RUN = {
  imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  receiptId: 1,
  runId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
};

/** A two-line receipt: "COFFEE HUT" / "TOTAL 4.50". */
export const WORDS = [
  [1, 1, 'COFFEE'],
  [1, 2, 'HUT'],
  [2, 1, 'TOTAL'],
  [2, 2, '4.50'],
].map(([lineId, wordId, text]) =>
  parseReceiptWord({
    ...RUN,
    lineId,
    wordId,
    text,
    boundingBox: { x: 0.1, y: 0.9, width: 0.2, height: 0.02 },
    topLeft: { x: 0.1, y: 0.92 },
    topRight: { x: 0.3, y: 0.92 },
    bottomLeft: { x: 0.1, y: 0.9 },
    bottomRight: { x: 0.3, y: 0.9 },
    angleDegrees: 0,
    angleRadians: 0,
    confidence: 0.99,
  }),
);

export const PROPOSALS: ReceiptAnalysis['proposals'] = [
  { lineId: 1, wordId: 1, label: 'MERCHANT_NAME', reasoning: 'header' },
  { lineId: 1, wordId: 2, label: 'MERCHANT_NAME', reasoning: 'header' },
  { lineId: 2, wordId: 2, label: 'GRAND_TOTAL', reasoning: 'amount after TOTAL' },
];

/**
 * An analyzer that answers after `delayMs` of clock time with fixed proposals and, optionally, corrections (a
 * `merchantName`, or any `corrections` at all, as an untrusted analyzer may return). With `ignoresSignal` it
 * sleeps on regardless of its signal, as a careless analyzer would. Records what each call was given.
 */
export class ScriptedAnalyzer implements ReceiptAnalyzer {
  readonly name = 'SCRIPTED';
  calls = 0;
  readonly inputs: ReceiptAnalysisInput[] = [];
  readonly options: AnalyzeOptions[] = [];
  /** Sleeps of this analyzer still pending (an analyzer that ignores its signal may outlive the validation). */
  sleeping = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly script: {
      delayMs?: number;
      proposals?: ReceiptAnalysis['proposals'];
      merchantName?: string;
      corrections?: Readonly<Record<string, unknown>>;
      error?: Error;
      ignoresSignal?: boolean;
    } = {},
  ) {}

  async analyze(input: ReceiptAnalysisInput, options: AnalyzeOptions = {}): Promise<ReceiptAnalysis> {
    this.calls++;
    this.inputs.push(input);
    this.options.push(options);
    this.sleeping++;
    try {
      await this.clock.sleep(
        this.script.delayMs ?? 0,
        this.script.ignoresSignal ? undefined : options.signal,
      );
    } finally {
      this.sleeping--;
    }
    if (this.script.error) throw this.script.error;
    const { merchantName } = this.script;
    const corrections =
      'corrections' in this.script ? this.script.corrections : merchantName ? { merchantName } : undefined;
    return {
      analyzer: this.name,
      proposals: this.script.proposals ?? PROPOSALS,
      metadata:
        corrections !== undefined
          ? {
              matches: false,
              corrections: corrections as MerchantCorrection,
              reasoning: 'header says otherwise',
            }
          : { matches: true, corrections: {}, reasoning: 'consistent' },
    };
  }
}

/**
 * Everything validateReceipt needs, in memory, on one virtual clock, with the run created PENDING (unless
 * `createRun: false`: then `createRun()` creates it later, or never, for late and missing runs).
 */
export async function validationWorld(
  options: {
    gatePolicy?: Partial<GatePolicy>;
    policy?: Partial<OutcomePolicy>;
    analyzer?: ScriptedAnalyzer['script'];
    createRun?: boolean;
    /** The label store's class: the in-memory one, or a mutant of it. */
    labelRepository?: typeof InMemoryLabelRepository;
  } = {},
) {
  const clock = new VirtualClock();
  const t0 = clock.now();
  const runs = new InMemoryCompactionRunRepository({ clock });
  const labels = new (options.labelRepository ?? InMemoryLabelRepository)({ runs, clock });
  const receipts = new InMemoryReceiptRepository();
  const metadata = new InMemoryMerchantRecordRepository({ clock });
  const telemetry = new RecordingTelemetry();
  const analyzer = new ScriptedAnalyzer(clock, options.analyzer);
  /** Creates the run PENDING at the current clock time. */
  const createRun = () =>
    runs.createCompactionRun(
      newCompactionRun({
        ...RUN,
        linesDeltaPrefix: 'l/',
        wordsDeltaPrefix: 'w/',
        createdAt: toTimestamp(clock.now()),
      }),
    );
  if (options.createRun !== false) await createRun();
  await receipts.saveReceiptContent({ lines: [], words: WORDS });
  await metadata.addMerchantRecord(
    parseMerchantRecord({
      ...RUN,
      placeId: 'place-1',
      merchantName: 'COFFEE HUT',
      matchedFields: ['name'],
      timestamp: toTimestamp(t0),
    }),
  );
  const gate = new PollingCompactionGate({ runs, clock, telemetry }, options.gatePolicy);
  const deps: ValidateReceiptDeps = {
    gate,
    analyzer,
    receipts,
    metadata,
    labels,
    clock,
    telemetry,
    ...(options.policy && { policy: options.policy }),
  };
  /** Moves a collection to `to` (through PROCESSING) now; a no-op on a missing run or a final state. */
  const finishNow = async (to: 'COMPLETED' | 'FAILED', collection: CompactionCollection) => {
    const at = toTimestamp(clock.now());
    await runs.transitionCollection(RUN, collection, { to: 'PROCESSING', at });
    await runs.transitionCollection(
      RUN,
      collection,
      to === 'COMPLETED' ? { to, at, mergedVectors: 2 } : { to, at, error: 'snapshot unreachable' },
    );
  };
  /** Moves a collection to `to` (through PROCESSING) once the clock reaches t0 + ms. */
  const finishAt = (
    ms: number,
    to: 'COMPLETED' | 'FAILED',
    collections: CompactionCollection[] = ['lines', 'words'],
  ) =>
    Promise.all(
      collections.map(async (collection) => {
        await clock.sleep(ms);
        await finishNow(to, collection);
      }),
    );
  const labelNames = async () =>
    (await labels.getLabels(RUN)).map((l) => `${l.lineId}/${l.wordId}/${l.label}`);
  return {
    clock,
    t0,
    runs,
    labels,
    receipts,
    metadata,
    telemetry,
    analyzer,
    gate,
    deps,
    createRun,
    finishNow,
    finishAt,
    labelNames,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Scheduled scenarios, for the property tests: one validation (or two in a row) played on the virtual clock,
// with an fc.scheduler() choosing the order of everything due at the same instant (a gate read, a compaction
// transition, the analysis returning, the caller's abort, a concurrent metadata change). Times are ms after t0.

/** Anything with validateReceipt's signature: the real use case or a broken one. */
export type ValidateReceiptFn = (
  deps: ValidateReceiptDeps,
  request: ValidateReceiptRequest,
) => Promise<ValidationReport>;

export type ValidationWorld = Awaited<ReturnType<typeof validationWorld>>;

/** A label store that also lets someone else's decisions be seeded (and lets a broken use case misuse that). */
export type SeedableLabelRepository = LabelRepository & { put(label: ReceiptWordLabel): void };

/** One collection's end, this long after the run was created. */
export interface CollectionFate {
  readonly to: 'COMPLETED' | 'FAILED';
  readonly afterMs: number;
}

/** A label someone decided before the validation ran. */
export interface DecidedSeed {
  readonly lineId: number;
  readonly wordId: number;
  readonly label: WordLabelName;
  readonly status: 'VALID' | 'INVALID' | 'NEEDS_REVIEW';
}

export interface ValidationScenario {
  readonly gatePolicy: Partial<GatePolicy>;
  /** When the run is written: 'before' the validation starts (as the upload does), at a time, or never. */
  readonly runCreated: 'before' | { readonly atMs: number } | 'never';
  /** Absent: that collection never finishes. Its time counts from the run's creation (or t0). */
  readonly lines?: CollectionFate;
  readonly words?: CollectionFate;
  /** The analysis answers (or fails) after `delayMs`; with `ignoresSignal` it runs on whatever its signal says. */
  readonly analysis: { readonly delayMs: number; readonly fails: boolean; readonly ignoresSignal: boolean };
  /** The gate's read with this index fails for good (access denied, say). */
  readonly gateFailsAtRead?: number;
  readonly policy: Partial<OutcomePolicy>;
  readonly deadlineInMs?: number;
  readonly abortAtMs?: number;
  /** The caller aborts while the label write is in flight (after the store applied it, before it answers). */
  readonly abortDuringLabelWrite?: boolean;
  readonly proposals: readonly LabelProposal[];
  readonly decided: readonly DecidedSeed[];
  /** The analyzer's metadata corrections, valid or not; absent: its verdict is "matches". */
  readonly corrections?: Readonly<Record<string, unknown>>;
  /** Someone else changes the metadata at this time (so a correction then conflicts). */
  readonly concurrentChangeAtMs?: number;
}

/** Proposals a scenario draws from: PROPOSALS, a second label on 2/2, and one for a word not on the receipt. */
export const PROPOSAL_POOL: readonly LabelProposal[] = [
  ...PROPOSALS,
  { lineId: 2, wordId: 2, label: 'LINE_TOTAL', reasoning: 'amount' },
  { lineId: 9, wordId: 9, label: 'TAX', reasoning: 'no such word' },
];

/** Labels someone may have decided already: most are proposed again, 2/1 SUBTOTAL never is. */
const DECIDABLE: readonly Omit<DecidedSeed, 'status'>[] = [
  ...PROPOSAL_POOL.filter((p) => p.lineId !== 9),
  { lineId: 2, wordId: 1, label: 'SUBTOTAL' as const },
].map(({ lineId, wordId, label }) => ({ lineId, wordId, label }));

const sometimes = <T>(arb: fc.Arbitrary<T>, present: number, absent: number) =>
  fc.oneof({ weight: present, arbitrary: arb }, { weight: absent, arbitrary: fc.constant(undefined) });

/** A time in [0, maxS] s on a 500 ms grid: many fall on a poll instant and tie with the read made then. */
const instantArb = (maxS: number) => fc.integer({ min: 0, max: maxS * 2 }).map((half) => half * 500);

const fateArb = (to: CollectionFate['to']) =>
  instantArb(30).map((afterMs): CollectionFate => ({ to, afterMs }));

// Short random policies keep 200 runs cheap; the seed policy (2 s, 120 s) is drawn too.
const gatePolicyArb: fc.Arbitrary<Partial<GatePolicy>> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc.record({
      pollIntervalMs: fc.constantFrom(1_000, 2_000),
      maxWaitMs: fc.integer({ min: 2, max: 50 }).map((s) => s * 1_000),
      notFoundGraceMs: fc.integer({ min: 0, max: 12 }).map((s) => s * 1_000),
    }),
  },
);

/** Completes (both collections), fails in one collection, or never finishes (at most one completes). */
const compactionArb: fc.Arbitrary<Pick<ValidationScenario, 'lines' | 'words'>> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ lines: fateArb('COMPLETED'), words: fateArb('COMPLETED') }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.boolean(), fateArb('FAILED'), sometimes(fateArb('COMPLETED'), 1, 1))
      .map(([linesFail, failure, other]) =>
        linesFail ? { lines: failure, words: other } : { lines: other, words: failure },
      ),
  },
  { weight: 1, arbitrary: fc.record({ lines: sometimes(fateArb('COMPLETED'), 1, 1) }) },
);

const decidedArb: fc.Arbitrary<DecidedSeed[]> = fc
  .subarray([...DECIDABLE])
  .chain((targets) =>
    fc.tuple(
      ...targets.map((target) =>
        fc
          .constantFrom('VALID', 'INVALID', 'NEEDS_REVIEW')
          .map((status): DecidedSeed => ({ ...target, status })),
      ),
    ),
  );

const policyArb: fc.Arbitrary<Partial<OutcomePolicy>> = fc.record(
  {
    failed: fc.constantFrom('skip', 'fail'),
    timed_out: fc.constantFrom('proceed', 'skip', 'fail'),
    not_found: fc.constantFrom('proceed', 'skip', 'fail'),
    aborted: fc.constantFrom('skip', 'fail'),
  },
  // Each key may be left out, so the defaults are drawn too.
  { requiredKeys: [] },
);

/**
 * Corrections an untrusted analyzer may return against the stored "COFFEE HUT": none, one that changes nothing,
 * a real one, and ones that must be refused (a field that cannot be corrected, an empty or non-string value).
 */
const correctionsArb = fc.constantFrom<Readonly<Record<string, unknown>> | undefined>(
  undefined,
  { merchantName: 'COFFEE HUT' },
  { merchantName: 'COFFEE HUT ROASTERS' },
  { merchantName: 'COFFEE HUT ROASTERS', address: '' },
  { placeId: 'place-2', phoneNumber: '555-0100' },
  { merchantName: '   ', merchantCategory: 42 },
);

/** Any scenario: every timeline, policy, deadline, abort, decided labels and metadata verdict. */
export const validationScenarioArb: fc.Arbitrary<ValidationScenario> = fc
  .record({
    gatePolicy: gatePolicyArb,
    runCreated: fc.oneof(
      { weight: 6, arbitrary: fc.constant('before' as const) },
      { weight: 2, arbitrary: instantArb(20).map((atMs) => ({ atMs })) },
      { weight: 1, arbitrary: fc.constant('never' as const) },
    ),
    compaction: compactionArb,
    analysis: fc.record({
      delayMs: instantArb(60),
      fails: fc.oneof(
        { weight: 4, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      ignoresSignal: fc.boolean(),
    }),
    gateFailsAtRead: sometimes(fc.integer({ min: 0, max: 20 }), 1, 6),
    policy: policyArb,
    deadlineInMs: sometimes(instantArb(60), 1, 2),
    abortAtMs: sometimes(instantArb(60), 1, 2),
    abortDuringLabelWrite: fc.oneof(
      { weight: 2, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    proposals: fc.subarray([...PROPOSAL_POOL]),
    decided: decidedArb,
    corrections: correctionsArb,
    concurrentChangeAtMs: sometimes(instantArb(60), 1, 3),
  })
  .map(({ compaction, ...rest }) => ({ ...rest, ...compaction }));

/**
 * Scenarios where the compaction completes within the seed's wait, with no deadline, no abort and an analysis
 * that succeeds: both validations of a receipt end `completed`.
 */
export const completingScenarioArb: fc.Arbitrary<ValidationScenario> = fc.record({
  gatePolicy: fc.constant({}),
  runCreated: fc.constant('before' as const),
  lines: fateArb('COMPLETED'),
  words: fateArb('COMPLETED'),
  analysis: fc.record({ delayMs: instantArb(60), fails: fc.constant(false), ignoresSignal: fc.boolean() }),
  policy: policyArb,
  proposals: fc.subarray([...PROPOSAL_POOL]),
  decided: decidedArb,
  corrections: correctionsArb,
  concurrentChangeAtMs: sometimes(instantArb(60), 1, 3),
});

/**
 * A write (attempted: logged before it reaches the store), the gate settling (a result, or none when it threw),
 * the analysis failing, or the caller aborting, in the order they happened.
 */
export type Step =
  | { readonly kind: 'gate_settled'; readonly at: number; readonly result?: GateResult }
  | { readonly kind: 'analysis_failed'; readonly at: number }
  /** `heard`: the validation was still listening to the signal, so it had not settled yet. */
  | { readonly kind: 'caller_aborted'; readonly at: number; readonly heard: boolean }
  | { readonly kind: 'labels'; readonly at: number; readonly guarded: boolean }
  | { readonly kind: 'metadata'; readonly at: number; readonly changes?: MerchantCorrection };

export const isWrite = (step: Step): step is Extract<Step, { kind: 'labels' | 'metadata' }> =>
  step.kind === 'labels' || step.kind === 'metadata';

/** One validation of the played scenario. */
export interface Round {
  /** How it settled; absent when it never did (then `stuck` says why). */
  readonly settled?: PromiseSettledResult<ValidationReport>;
  readonly stuck?: string;
  /** The real gate's result, as it settled (not as the use case may have reported it). */
  readonly gate?: GateResult;
  readonly analysisReturned: boolean;
  /** When it settled (absent when it never did). */
  readonly settledAt?: number;
  /** Steps from the round's start to the end of its quiet stretch, gate settling included. */
  readonly steps: readonly Step[];
  /** Timers pending and reads made when it settled (once that instant's work was done), steps taken by then. */
  readonly timersAtSettle: number;
  readonly readsAtSettle: number;
  readonly stepsAtSettle: number;
  /** The same after a quiet stretch of virtual time past settling, the scheduler drained. */
  readonly readsAfterQuiet: number;
  readonly labelsAfter: readonly ReceiptWordLabel[];
}

export interface PlayedValidation {
  readonly scenario: ValidationScenario;
  readonly world: ValidationWorld;
  readonly policy: OutcomePolicy;
  /** Every step of every round, in order. */
  readonly steps: readonly Step[];
  readonly rounds: readonly Round[];
  /** The decided labels as seeded. */
  readonly decidedBefore: readonly ReceiptWordLabel[];
  /** Identities (wordLabelId) of the proposals that name a word of the receipt. */
  readonly validProposalIds: readonly string[];
}

interface WorldEvent {
  readonly at: number;
  readonly label: string;
  readonly apply: () => unknown;
}

const MICROTASK_TURNS = 200;

async function settleMicrotasks(): Promise<void> {
  for (let turn = 0; turn < MICROTASK_TURNS; turn++) await Promise.resolve();
}

// Long enough for any scenario to settle (times <= 60 s, waits <= 120 s); past it the round is stuck.
const HORIZON_MS = 600_000;
const QUIET_MS = 300_000;

/**
 * Plays `scenario` against `validate`, `rounds` times in a row on the same world, with `s` ordering the work
 * due at each instant. Records every write and the gate settling through wrapping ports, in call order.
 */
export async function playValidation(
  validate: ValidateReceiptFn,
  scenario: ValidationScenario,
  s: fc.Scheduler,
  rounds = 1,
  labelRepository?: typeof InMemoryLabelRepository,
): Promise<PlayedValidation> {
  const world = await validationWorld({
    ...(labelRepository && { labelRepository }),
    gatePolicy: scenario.gatePolicy,
    policy: scenario.policy,
    createRun: scenario.runCreated === 'before',
    analyzer: {
      delayMs: scenario.analysis.delayMs,
      proposals: [...scenario.proposals],
      ...(scenario.corrections !== undefined && { corrections: scenario.corrections }),
      ...(scenario.analysis.fails && { error: new Error('model unreachable') }),
      ignoresSignal: scenario.analysis.ignoresSignal,
    },
  });
  const { clock, t0 } = world;
  const since = () => clock.now() - t0;
  for (const seed of scenario.decided) {
    world.labels.put(
      parseWordLabel({
        ...RUN,
        ...seed,
        timestampAdded: '2025-12-31T09:00:00.000Z',
        validationStatus: seed.status,
        labelProposedBy: 'reviewer',
      }),
    );
  }
  const decidedBefore = await world.labels.getLabels(RUN);

  const steps: Step[] = [];
  const controller = new AbortController();
  let gateResult: GateResult | undefined;
  let analysisReturned = false;
  // Reads are sent when the scheduler says so: a read and a transition due at one instant race.
  let gateReads = 0;
  const runs: CompactionRunRepository = {
    getCompactionRun: async (key, options) => {
      await s.schedule(Promise.resolve(), `read at ${since()} ms`);
      if (gateReads++ === scenario.gateFailsAtRead) world.runs.readFaults.failNext(1, 'permanent');
      return world.runs.getCompactionRun(key, options);
    },
    createCompactionRun: (run) => world.runs.createCompactionRun(run),
    transitionCollection: (key, collection, transition) =>
      world.runs.transitionCollection(key, collection, transition),
  };
  const realGate = new PollingCompactionGate(
    { runs, clock, telemetry: world.telemetry },
    scenario.gatePolicy,
  );
  const gate: CompactionGate = {
    waitForCompaction: (key, options) =>
      realGate.waitForCompaction(key, options).then(
        (result) => {
          gateResult ??= result;
          steps.push({ kind: 'gate_settled', at: clock.now(), result });
          return result;
        },
        (error: unknown) => {
          steps.push({ kind: 'gate_settled', at: clock.now() });
          throw error;
        },
      ),
  };
  // The answer (or failure) is delivered when the scheduler says so: it races the gate and the abort.
  const analyzer: ReceiptAnalyzer = {
    name: world.analyzer.name,
    analyze: async (input, options) => {
      const answer = await world.analyzer.analyze(input, options).then(
        (analysis) => ({ analysis }),
        (error: unknown) => ({ error }),
      );
      await s.schedule(
        Promise.resolve(),
        `analysis ${'error' in answer ? 'fails' : 'returns'} at ${since()} ms`,
      );
      if ('error' in answer) {
        steps.push({ kind: 'analysis_failed', at: clock.now() });
        throw answer.error;
      }
      analysisReturned = true;
      return answer.analysis;
    },
  };
  const labels: SeedableLabelRepository = {
    // The store's answer arrives when the scheduler says so: an abort may come while the write is in flight.
    saveLabels: async (batch, options) => {
      steps.push({ kind: 'labels', at: clock.now(), guarded: options?.requireCompleted !== undefined });
      const saved = await world.labels.saveLabels(batch, options);
      if (scenario.abortDuringLabelWrite) controller.abort(new Error('caller gave up during the write'));
      await s.schedule(Promise.resolve(), `labels written at ${since()} ms`);
      return saved;
    },
    getLabels: (receipt) => world.labels.getLabels(receipt),
    getWordLabels: (word) => world.labels.getWordLabels(word),
    put: (label) => world.labels.put(label),
  };
  const metadata: MerchantRecordRepository = {
    getMerchantRecord: (receipt) => world.metadata.getMerchantRecord(receipt),
    addMerchantRecord: (record) => {
      steps.push({ kind: 'metadata', at: clock.now() });
      return world.metadata.addMerchantRecord(record);
    },
    updateMerchantRecord: (expected, next) => {
      steps.push({ kind: 'metadata', at: clock.now(), changes: changedFields(expected, next) });
      return world.metadata.updateMerchantRecord(expected, next);
    },
  };
  const deps: ValidateReceiptDeps = { ...world.deps, gate, analyzer, labels, metadata };

  const events = worldEvents(scenario, world, controller);
  // Registered first, so it runs before the validation's own listener, which is then still there if it has not
  // settled: that tells an abort just before settling from one just after, even at the same instant.
  controller.signal.addEventListener(
    'abort',
    () =>
      steps.push({
        kind: 'caller_aborted',
        at: clock.now(),
        heard: getEventListeners(controller.signal, 'abort').length > 0,
      }),
    { once: true },
  );
  const drive = async (done: () => boolean, until: number): Promise<string | undefined> => {
    for (;;) {
      await s.waitIdle();
      await settleMicrotasks();
      if (s.count() > 0) continue;
      if (done()) return undefined;
      const next = Math.min(
        clock.nextTimerAt() ?? Number.POSITIVE_INFINITY,
        events[0]?.at ?? Number.POSITIVE_INFINITY,
      );
      if (next === Number.POSITIVE_INFINITY) return 'nothing left to happen (no timer, no event)';
      if (next > until) {
        await clock.advance(until - clock.now());
        return `still pending at ${since()} ms`;
      }
      await clock.advance(next - clock.now());
      while (events[0] && events[0].at <= clock.now()) {
        const event = events.shift() as WorldEvent;
        void s.schedule(Promise.resolve(), `${event.label} at ${since()} ms`).then(event.apply);
      }
    }
  };

  const played: Round[] = [];
  for (let round = 0; round < rounds; round++) {
    gateResult = undefined;
    analysisReturned = false;
    const first = steps.length;
    let settled: PromiseSettledResult<ValidationReport> | undefined;
    let settledAt: number | undefined;
    let stepsAtSettle = 0;
    validate(deps, {
      run: RUN,
      signal: controller.signal,
      ...(scenario.deadlineInMs !== undefined && { deadlineAt: t0 + scenario.deadlineInMs }),
    }).then(
      (value) => {
        settled = { status: 'fulfilled', value };
        settledAt = clock.now();
        stepsAtSettle = steps.length - first;
      },
      (reason: unknown) => {
        settled = { status: 'rejected', reason };
        settledAt = clock.now();
        stepsAtSettle = steps.length - first;
      },
    );
    const stuck = await drive(() => settled !== undefined, clock.now() + HORIZON_MS);
    // Read through casts: TypeScript cannot see the assignments made in callbacks.
    const outcome = settled as PromiseSettledResult<ValidationReport> | undefined;
    const gateSettled = gateResult as GateResult | undefined;
    // The analyzer's own sleep is not the validation's: one that ignores its signal may run on after it.
    const timersAtSettle = clock.pendingTimers() - world.analyzer.sleeping;
    const readsAtSettle = world.runs.reads;
    if (stuck === undefined) await drive(() => false, clock.now() + QUIET_MS);
    played.push({
      ...(outcome && { settled: outcome }),
      ...(stuck !== undefined && { stuck }),
      ...(gateSettled && { gate: gateSettled }),
      analysisReturned,
      ...(settledAt !== undefined && { settledAt: settledAt as number }),
      steps: steps.slice(first),
      timersAtSettle,
      readsAtSettle,
      stepsAtSettle,
      readsAfterQuiet: world.runs.reads,
      labelsAfter: await world.labels.getLabels(RUN),
    });
  }
  const known = new Set(WORDS.map((word) => `${word.lineId}#${word.wordId}`));
  return {
    scenario,
    world,
    policy: resolveOutcomePolicy(scenario.policy),
    steps,
    rounds: played,
    decidedBefore,
    validProposalIds: scenario.proposals
      .filter((p) => known.has(`${p.lineId}#${p.wordId}`))
      .map((p) => wordLabelId({ ...RUN, ...p })),
  };
}

/** The scenario's outside world as timed events; the run's changes at one instant apply in order. */
function worldEvents(
  scenario: ValidationScenario,
  world: ValidationWorld,
  controller: AbortController,
): WorldEvent[] {
  const { t0 } = world;
  const events: WorldEvent[] = [];
  const { runCreated } = scenario;
  if (runCreated !== 'never') {
    const created = runCreated === 'before' ? 0 : runCreated.atMs;
    const changes: { at: number; label: string; apply: () => Promise<unknown> }[] =
      runCreated === 'before' ? [] : [{ at: created, label: 'run created', apply: world.createRun }];
    for (const collection of ['lines', 'words'] as const) {
      const fate = scenario[collection];
      if (fate) {
        changes.push({
          at: created + fate.afterMs,
          label: `${collection} ${fate.to}`,
          apply: () => world.finishNow(fate.to, collection),
        });
      }
    }
    for (const at of [...new Set(changes.map((c) => c.at))]) {
      const due = changes.filter((c) => c.at === at);
      events.push({
        at: t0 + at,
        label: due.map((c) => c.label).join(' + '),
        apply: async () => {
          for (const change of due) await change.apply();
        },
      });
    }
  }
  if (scenario.abortAtMs !== undefined) {
    events.push({
      at: t0 + scenario.abortAtMs,
      label: 'caller aborts',
      apply: () => controller.abort(new Error('caller gave up')),
    });
  }
  if (scenario.concurrentChangeAtMs !== undefined) {
    // Written as someone else would, straight to the store, so it is not one of the use case's writes.
    events.push({
      at: t0 + scenario.concurrentChangeAtMs,
      label: 'metadata changed elsewhere',
      apply: async () => {
        const current = await world.metadata.getMerchantRecord(RUN);
        if (current) world.metadata.put({ ...current, merchantName: 'BEAN BAR' });
      },
    });
  }
  return events.sort((a, b) => a.at - b.at);
}

/**
 * The correctable fields an update changes (the rest of the new record follows from them by
 * correctMerchantRecord's rules, which its own tests pin).
 */
function changedFields(expected: MerchantRecord, next: MerchantRecord): MerchantCorrection {
  return Object.fromEntries(
    MERCHANT_CORRECTION_FIELDS.filter((field) => next[field] !== expected[field]).map((field) => [
      field,
      next[field],
    ]),
  );
}
