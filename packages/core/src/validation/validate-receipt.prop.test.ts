import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wordLabelId } from '../domain/word-label.js';
import { GateOutcomeError } from '../errors/gate-outcome-error.js';
import {
  leaveGateRunning,
  metadataBeforeLabels,
  overwriteDecided,
  unguardedWhenCompleted,
  writeBeforeRelease,
  writeOnFailed,
} from './broken-validations.test-support.js';
import { validateReceipt } from './validate-receipt.js';
import type { ValidationReport } from './validation-report.js';
import {
  completingScenarioArb,
  type PlayedValidation,
  playValidation,
  type Round,
  type ValidateReceiptFn,
  validationScenarioArb,
} from './validation-world.test-support.js';

// Each property is a function of the use case under test, so the same property runs against the real one and
// against the variant broken on purpose that it must catch. A violation throws "<invariant>: <detail>"; the
// tests against broken variants match the invariant's name, so a variant caught for another reason fails.

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

const writesOf = (round: Round) => round.steps.filter((step) => step.kind !== 'gate_settled');

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
      if (step.kind === 'gate_settled') return;
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
      // An analysis that failed (or was aborted) is itself the error; otherwise the gate's outcome is.
      check(
        !round.analysisReturned || result.reason instanceof GateOutcomeError,
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
      if (round.settled.status === 'fulfilled') {
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
const idempotentAndDecidedLabelsKept = (validate: ValidateReceiptFn) =>
  fc.asyncProperty(completingScenarioArb, fc.scheduler(), async (scenario, s) => {
    const played = await playValidation(validate, scenario, s, 2);
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
    check(
      round.steps.length === round.stepsAtSettle,
      'quiet',
      () => `${round.steps.length - round.stepsAtSettle} writes after settling`,
    );
  });

// Broken variants are only asked to fail: no shrinking, the first counterexample is enough; the violation's
// text goes into the report so the test can see which invariant caught it.
const CATCH = { endOnFailure: true, includeErrorInReport: true } as const;

// 200 runs take about a second; the margin is for a loaded 2-core machine.
const SLOW = { timeout: 30_000 };

describe('validateReceipt invariants (property tests over a virtual clock and a scheduler)', SLOW, () => {
  it('writes nothing, labels or metadata, attempted or applied, before the gate has settled', async () => {
    await fc.assert(noWriteBeforeTheGateSettles(validateReceipt));
  });

  it('corrects the metadata only after the label write', async () => {
    await fc.assert(metadataAfterLabels(validateReceipt));
  });

  it('writes nothing on failed (default), aborted or skip, and throws GateOutcomeError on fail', async () => {
    await fc.assert(nothingWrittenUnlessTheOutcomeAllows(validateReceipt));
  });

  it('guards the labels of a completed gate, and writes unguarded only on the seed choice, each reported', async () => {
    await fc.assert(guardedUnlessTheSeedsChoice(validateReceipt));
  });

  it('leaves the same items when run twice and never changes a decided label', async () => {
    await fc.assert(idempotentAndDecidedLabelsKept(validateReceipt));
  });

  it('leaves no timer and makes no read or write once it has settled', async () => {
    await fc.assert(quietAfterSettling(validateReceipt));
  });
});

describe('each invariant catches the use case broken against it', SLOW, () => {
  it('ordering catches labels written as soon as the analysis returns', async () => {
    await expect(fc.assert(noWriteBeforeTheGateSettles(writeBeforeRelease), CATCH)).rejects.toThrow(
      /ordering:/,
    );
  });

  it('metadata-after-labels catches a metadata correction made before the label write', async () => {
    await expect(fc.assert(metadataAfterLabels(metadataBeforeLabels), CATCH)).rejects.toThrow(
      /metadata after labels:/,
    );
  });

  it('outcome policy catches a FAILED compaction taken for a timeout (written, or not failing)', async () => {
    await expect(fc.assert(nothingWrittenUnlessTheOutcomeAllows(writeOnFailed), CATCH)).rejects.toThrow(
      /outcome policy:/,
    );
  });

  it('guard catches labels written unguarded after a completed gate', async () => {
    await expect(fc.assert(guardedUnlessTheSeedsChoice(unguardedWhenCompleted), CATCH)).rejects.toThrow(
      /guard:/,
    );
  });

  it('idempotence catches decided labels overwritten back to PENDING', async () => {
    await expect(fc.assert(idempotentAndDecidedLabelsKept(overwriteDecided), CATCH)).rejects.toThrow(
      /decided labels:/,
    );
  });

  it('quiet catches a gate left polling after an abort or a failed analysis', async () => {
    await expect(fc.assert(quietAfterSettling(leaveGateRunning), CATCH)).rejects.toThrow(/quiet:/);
  });
});
