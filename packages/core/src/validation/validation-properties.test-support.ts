/**
 * Test-only: validateReceipt's invariants as properties of the use case under test, so the same property runs
 * against the real one and against the mutants of it that it must catch. A violation throws
 * "<invariant>: <detail>"; the tests against mutants match the invariant's name, so a mutant caught for another
 * reason fails.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { isCorrectableField } from '../domain/merchant-correction.js';
import { wordLabelId } from '../domain/word-label.js';
import { GateOutcomeError } from '../errors/gate-outcome-error.js';
import { ValidationAbortedError } from '../errors/validation-aborted-error.js';
import { SEED_GATE_POLICY } from '../gate/gate-policy.js';
import { InjectedPermanentError } from '../testing/fault-injector.js';
import type { InMemoryLabelRepository } from '../testing/in-memory-label-repository.js';
import type { ValidationReport } from './validation-report.js';
import {
  completingScenarioArb,
  isWrite,
  type PlayedValidation,
  playValidation,
  type Round,
  type ValidateReceiptFn,
  validationScenarioArb,
} from './validation-world.test-support.js';

function check(condition: boolean, invariant: string, detail: () => string): asserts condition {
  if (!condition) throw new Error(`${invariant}: ${detail()}`);
}

/** The first (or only) round, which must have settled. */
type Settled = Round & { readonly settled: PromiseSettledResult<ValidationReport> };

function settled(played: PlayedValidation, index = 0): Settled {
  const round = played.rounds[index];
  check(
    round?.settled !== undefined,
    'liveness',
    () => `validation ${index + 1} never settled: ${round?.stuck}`,
  );
  return round as Settled;
}

const writesOf = (round: Round) => round.steps.filter(isWrite);

/** Ordering: no write of any kind, attempted or applied, before the gate has settled. */
const noWriteBeforeTheGateSettles = (validate: ValidateReceiptFn) =>
  fc.asyncProperty(validationScenarioArb, fc.scheduler(), async (scenario, s) => {
    const played = await playValidation(validate, scenario, s);
    const { t0, labels, metadata } = played.world;
    const round = settled(played);
    const gateAt = round.steps.findIndex((step) => step.kind === 'gate_settled');
    const gate = round.steps[gateAt];
    const when = () => (gate ? `the gate settled at ${gate.at - t0} ms` : 'the gate never settled');
    round.steps.forEach((step, index) => {
      if (!isWrite(step)) return;
      check(
        gate !== undefined && gateAt < index && step.at >= gate.at,
        'ordering',
        () => `${step.kind} write at ${step.at - t0} ms (step ${index}) but ${when()} (step ${gateAt})`,
      );
    });
    // The stores' own logs agree (they record the writes that reached them, refused guarded ones included).
    for (const { at } of [...labels.writes, ...metadata.updates]) {
      check(
        gate !== undefined && (at ?? 0) >= gate.at,
        'ordering',
        () => `store write at ${at} but ${when()}`,
      );
    }
  });

/** Metadata after labels: when both are written, every metadata update is called after every label write. */
const metadataAfterLabels = (validate: ValidateReceiptFn) =>
  fc.asyncProperty(validationScenarioArb, fc.scheduler(), async (scenario, s) => {
    const played = await playValidation(validate, scenario, s);
    const round = settled(played);
    const order = round.steps.map((step) => step.kind);
    const lastLabels = order.lastIndexOf('labels');
    const firstMetadata = order.indexOf('metadata');
    if (firstMetadata === -1) return;
    check(lastLabels < firstMetadata, 'metadata after labels', () => `calls in order: ${order.join(', ')}`);
    // A correction means the outcome let it write: the receipt's valid proposals were written first.
    check(
      played.validProposalIds.length === 0 || lastLabels !== -1,
      'metadata after labels',
      () => `metadata corrected without the labels written first: ${order.join(', ')}`,
    );
  });

/** Nothing on `failed` (by default) or `aborted`, nothing on skip; `fail` throws GateOutcomeError, writing nothing. */
const nothingWrittenUnlessTheOutcomeAllows = (validate: ValidateReceiptFn) =>
  fc.asyncProperty(validationScenarioArb, fc.scheduler(), async (scenario, s) => {
    const played = await playValidation(validate, scenario, s);
    const { policy, world } = played;
    const round = settled(played);
    const { gate } = round;
    if (gate === undefined) return; // the gate never settled: the ordering property's concern
    const action = gate.outcome === 'completed' ? 'write' : policy[gate.outcome];
    const writes = writesOf(round);
    if (gate.outcome === 'failed' || gate.outcome === 'aborted' || action === 'skip' || action === 'fail') {
      check(
        writes.length === 0 && world.labels.writes.length === 0 && world.metadata.updates.length === 0,
        'outcome policy',
        () =>
          `gate ${gate.outcome} with policy ${action}, yet wrote: ${writes.map((w) => w.kind).join(', ')}`,
      );
    }
    if (action === 'fail') {
      const result = round.settled;
      check(
        result.status === 'rejected',
        'outcome policy',
        () => `gate ${gate.outcome} with policy fail resolved`,
      );
      // An analysis that failed before the gate settled is itself the error; otherwise the gate's outcome is.
      const failedFirst = round.steps.findIndex((step) => step.kind === 'analysis_failed');
      const gateAt = round.steps.findIndex((step) => step.kind === 'gate_settled');
      check(
        result.reason instanceof GateOutcomeError || (failedFirst !== -1 && failedFirst < gateAt),
        'outcome policy',
        () => `gate ${gate.outcome} with policy fail threw ${String(result.reason)}`,
      );
    }
    if (action === 'skip' && round.settled.status === 'fulfilled') {
      const { decision } = round.settled.value;
      check(decision === 'skip', 'outcome policy', () => `skip reported as ${decision}`);
    }
  });

/**
 * Guard: a completed gate's labels are written guarded and exist afterwards; unguarded writes happen only on
 * timed_out / not_found with `proceed`, and each is reported (event and metric).
 */
const guardedUnlessTheSeedsChoice = (validate: ValidateReceiptFn) =>
  fc.asyncProperty(validationScenarioArb, fc.scheduler(), async (scenario, s) => {
    const played = await playValidation(validate, scenario, s);
    const { policy, world, validProposalIds } = played;
    const round = settled(played);
    const { gate } = round;
    const writes = world.labels.writes;
    if (gate?.outcome === 'completed') {
      check(
        writes.every((w) => w.guarded && w.applied),
        'guard',
        () =>
          `completed, yet wrote ${JSON.stringify(writes.map(({ guarded, applied }) => ({ guarded, applied })))}`,
      );
      if (round.settled.status === 'fulfilled' && round.settled.value.analysis.outcome === 'returned') {
        const present = new Set(round.labelsAfter.map(wordLabelId));
        const missing = validProposalIds.filter((id) => !present.has(id));
        check(missing.length === 0, 'guard', () => `completed, yet labels missing: ${missing.join(', ')}`);
      }
    }
    const unguarded = writes.filter((w) => !w.guarded);
    check(
      unguarded.length === 0 ||
        ((gate?.outcome === 'timed_out' || gate?.outcome === 'not_found') &&
          policy[gate.outcome] === 'proceed'),
      'guard',
      () => `${unguarded.length} unguarded label writes after gate ${gate?.outcome ?? 'unsettled'}`,
    );
    // Each unguarded write has its warning event (same label count) and is counted. Events with labels: 0 are
    // left out: with no label to write the use case still warns and counts 1 (a known discrepancy, reported).
    const events = world.telemetry.eventsOf('validation.unguarded_write').filter((e) => e.labels > 0);
    const counted = world.telemetry.metricTotal('UnguardedLabelWrites');
    const sizes = (list: number[]) => JSON.stringify(list.sort((a, b) => a - b));
    check(
      sizes(events.map((e) => e.labels)) === sizes(unguarded.map((w) => w.labels.length)) &&
        counted >= unguarded.length,
      'guard',
      () => `${unguarded.length} unguarded writes, ${events.length} events, UnguardedLabelWrites ${counted}`,
    );
  });

/** Idempotence: a second validation that also completes leaves the same items; decided labels never change. */
const idempotentAndDecidedLabelsKept = (
  validate: ValidateReceiptFn,
  labelRepository?: typeof InMemoryLabelRepository,
) =>
  fc.asyncProperty(completingScenarioArb, fc.scheduler(), async (scenario, s) => {
    const played = await playValidation(validate, scenario, s, 2, labelRepository);
    const rounds = [settled(played, 0), settled(played, 1)];
    for (const [index, round] of rounds.entries()) {
      check(
        round.settled.status === 'fulfilled' && round.gate?.outcome === 'completed',
        'idempotence',
        () => `validation ${index + 1} did not complete: ${round.gate?.outcome} ${round.settled.status}`,
      );
      for (const decided of played.decidedBefore) {
        check(
          round.labelsAfter.some((label) => isDeepStrictEqual(label, decided)),
          'decided labels',
          () =>
            `${wordLabelId(decided)} ${decided.validationStatus} became ${JSON.stringify(
              round.labelsAfter.find((label) => wordLabelId(label) === wordLabelId(decided)),
            )} after validation ${index + 1}`,
        );
      }
    }
    const [first, second] = rounds as [Round, Round];
    check(
      isDeepStrictEqual(second.labelsAfter, first.labelsAfter),
      'idempotence',
      () => `items changed: ${JSON.stringify(first.labelsAfter)} -> ${JSON.stringify(second.labelsAfter)}`,
    );
  });

/** Quiet: once the validation has settled, no timer is pending, and no read or write follows as time passes. */
const quietAfterSettling = (validate: ValidateReceiptFn) =>
  fc.asyncProperty(validationScenarioArb, fc.scheduler(), async (scenario, s) => {
    const played = await playValidation(validate, scenario, s);
    const round = settled(played);
    check(round.timersAtSettle === 0, 'quiet', () => `${round.timersAtSettle} timers pending at settling`);
    check(
      round.readsAfterQuiet === round.readsAtSettle,
      'quiet',
      () => `${round.readsAfterQuiet - round.readsAtSettle} reads after settling`,
    );
    const late = round.steps.slice(round.stepsAtSettle).filter(isWrite);
    check(late.length === 0, 'quiet', () => `${late.length} writes after settling`);
  });

const at = (played: PlayedValidation, time: number | undefined) =>
  time === undefined ? 'never' : `${time - played.world.t0} ms`;

/**
 * On time: a caller abort settles at its instant (unless a write had begun), a failed analysis or a failed gate
 * read at the instant of that failure, and with a deadline nothing settles later than the deadline plus the
 * gate's read timeout, whatever the analyzer does with its signal.
 */
const settlesOnTime = (validate: ValidateReceiptFn) =>
  fc.asyncProperty(validationScenarioArb, fc.scheduler(), async (scenario, s) => {
    const played = await playValidation(validate, scenario, s);
    const round = settled(played);
    const { settledAt } = round;
    const { t0 } = played.world;
    const pollTimeoutMs = scenario.gatePolicy.pollTimeoutMs ?? SEED_GATE_POLICY.pollTimeoutMs;
    if (scenario.deadlineInMs !== undefined) {
      const bound = t0 + scenario.deadlineInMs + pollTimeoutMs;
      check(
        settledAt !== undefined && settledAt <= bound,
        'on time',
        () =>
          `settled at ${at(played, settledAt)}, after the deadline plus the read timeout (${at(played, bound)})`,
      );
    }
    const abortAt = round.steps.findIndex((step) => step.kind === 'caller_aborted' && step.heard);
    const abort = round.steps[abortAt];
    if (abort && !round.steps.slice(0, abortAt).some(isWrite)) {
      check(
        settledAt === abort.at,
        'on time',
        () =>
          `the caller aborted at ${at(played, abort.at)}, the validation settled at ${at(played, settledAt)}`,
      );
    }
    const { reason } = round.settled.status === 'rejected' ? round.settled : { reason: undefined };
    const failure = round.steps.find((step) =>
      reason instanceof InjectedPermanentError
        ? step.kind === 'gate_settled' && step.result === undefined
        : reason instanceof Error &&
          reason.message === 'model unreachable' &&
          step.kind === 'analysis_failed',
    );
    if (failure) {
      check(
        settledAt === failure.at,
        'on time',
        () =>
          `${String(reason)} at ${at(played, failure.at)}, the validation settled at ${at(played, settledAt)}`,
      );
    }
  });

/**
 * A caller abort always ends the same way, whenever it comes: a report recording it (`skip`, the default;
 * `decision: skip` unless the writes had begun) or, with `aborted: 'fail'`, a ValidationAbortedError carrying
 * that report; and no write starts after it.
 */
const abortEndsOneWay = (validate: ValidateReceiptFn) =>
  fc.asyncProperty(validationScenarioArb, fc.scheduler(), async (scenario, s) => {
    const played = await playValidation(validate, scenario, s);
    const round = settled(played);
    const abortAt = round.steps.findIndex((step) => step.kind === 'caller_aborted' && step.heard);
    if (abortAt === -1) return;
    const before = round.steps.slice(0, abortAt);
    const analysisFailed = before.some((step) => step.kind === 'analysis_failed');
    const gateFailed = before.some((step) => step.kind === 'gate_settled' && step.result === undefined);
    if (analysisFailed || gateFailed) return; // that failure came first, and is the result
    const late = round.steps.slice(abortAt, round.stepsAtSettle).filter(isWrite);
    check(late.length === 0, 'abort', () => `${late.map((w) => w.kind).join(', ')} written after the abort`);
    const result = round.settled;
    let report: ValidationReport;
    if (played.policy.aborted === 'fail') {
      check(
        result.status === 'rejected' && result.reason instanceof ValidationAbortedError,
        'abort',
        () =>
          `aborted with policy fail, yet ${result.status === 'fulfilled' ? 'resolved' : `threw ${String(result.reason)}`}`,
      );
      report = result.reason.report;
    } else {
      check(
        result.status === 'fulfilled',
        'abort',
        () => `aborted with policy skip, yet threw ${result.status === 'rejected' && String(result.reason)}`,
      );
      report = result.value;
    }
    const abort = round.steps[abortAt];
    check(
      report.aborted !== undefined && report.aborted.afterMs === (abort?.at ?? 0) - played.world.t0,
      'abort',
      () => `the abort at ${at(played, abort?.at)} is recorded as ${JSON.stringify(report.aborted)}`,
    );
    const wroteBefore = before.some(isWrite);
    check(
      wroteBefore || report.decision === 'skip',
      'abort',
      () => `aborted before any write, yet the decision is ${report.decision}`,
    );
  });

/**
 * Untrusted corrections: every metadata update carries only correctable fields, each a non-empty string that
 * differs from what the analysis read; the refused ones are reported, and never become an error.
 */
const correctionsChecked = (validate: ValidateReceiptFn) =>
  fc.asyncProperty(validationScenarioArb, fc.scheduler(), async (scenario, s) => {
    const played = await playValidation(validate, scenario, s);
    const round = settled(played);
    const read = played.world.analyzer.inputs[0]?.metadata;
    for (const step of round.steps) {
      if (step.kind !== 'metadata' || !step.changes) continue;
      for (const [field, value] of Object.entries(step.changes)) {
        check(
          isCorrectableField(field) &&
            typeof value === 'string' &&
            value.trim() !== '' &&
            value !== read?.[field as 'merchantName'],
          'corrections',
          () =>
            `wrote ${field} = ${JSON.stringify(value)} over ${JSON.stringify(read?.[field as 'merchantName'])}`,
        );
      }
    }
    const result = round.settled;
    check(
      result.status === 'fulfilled' ||
        !/RECEIPT_METADATA|RECEIPT_PLACE|merchant (record|correction)/.test(String(result.reason)),
      'corrections',
      () => `a correction became an error: ${String(result.status === 'rejected' && result.reason)}`,
    );
    const reported = result.status === 'fulfilled' ? result.value.metadata : undefined;
    if (reported && 'changes' in reported) {
      for (const [field, value] of Object.entries(reported.changes)) {
        check(
          value !== read?.[field as 'merchantName'],
          'corrections',
          () => `reported ${field} as corrected to the value it had, ${JSON.stringify(value)}`,
        );
      }
    }
    if (result.status === 'fulfilled' && result.value.decision !== 'skip') {
      const refused = result.value.corrections.rejected.map((r) => r.field).sort();
      const invalid = Object.entries(scenario.corrections ?? {})
        .filter(
          ([field, value]) => !isCorrectableField(field) || typeof value !== 'string' || value.trim() === '',
        )
        .map(([field]) => field)
        .sort();
      check(
        isDeepStrictEqual(refused, invalid),
        'corrections',
        () => `refused ${JSON.stringify(refused)}, expected ${JSON.stringify(invalid)}`,
      );
    }
  });

export const PROPERTIES = {
  noWriteBeforeTheGateSettles,
  metadataAfterLabels,
  nothingWrittenUnlessTheOutcomeAllows,
  guardedUnlessTheSeedsChoice,
  idempotentAndDecidedLabelsKept,
  quietAfterSettling,
  settlesOnTime,
  abortEndsOneWay,
  correctionsChecked,
};

export type PropertyName = keyof typeof PROPERTIES;
