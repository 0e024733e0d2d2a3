import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseWordLabel } from '../domain/word-label.js';
import { GateOutcomeError } from '../errors/gate-outcome-error.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { ValidationAbortedError } from '../errors/validation-aborted-error.js';
import type { WaitOptions } from '../ports/compaction-gate.js';
import type { LabelRepository } from '../ports/label-repository.js';
import { InjectedPermanentError } from '../testing/fault-injector.js';
import { resolveOutcomePolicy } from './outcome-policy.js';
import { validateReceipt } from './validate-receipt.js';
import { RUN, validationWorld, WORDS } from './validation-world.test-support.js';

describe('validateReceipt', () => {
  it('waits for the compaction while analysing, then writes the labels guarded by the completed run', async () => {
    const world = await validationWorld({ analyzer: { delayMs: 20_000 } });
    void world.finishAt(37_300, 'COMPLETED');
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report.gate).toMatchObject({ outcome: 'completed', waitedMs: 38_000 });
    expect(report.decision).toBe('write_guarded');
    expect(report.labels).toMatchObject({
      proposed: 3,
      written: 3,
      alreadyPresent: 0,
      frozen: 0,
      rejected: [],
    });
    expect(report.timings).toMatchObject({ gateMs: 38_000, analysisMs: 20_000, totalMs: 38_000 });
    expect(world.labels.writes).toEqual([expect.objectContaining({ at: world.t0 + 38_000, guarded: true })]);
    expect(await world.labelNames()).toEqual(['1/1/MERCHANT_NAME', '1/2/MERCHANT_NAME', '2/2/GRAND_TOTAL']);
    const [label] = await world.labels.getLabels(RUN);
    expect(label).toMatchObject({
      validationStatus: 'PENDING',
      labelProposedBy: 'SCRIPTED',
      reasoning: 'header',
    });
  });

  it('takes max(compaction, analysis), not their sum', async () => {
    const world = await validationWorld({ analyzer: { delayMs: 50_000 } });
    void world.finishAt(9_000, 'COMPLETED');
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report.timings.totalMs).toBe(50_000);
  });

  it('writes nothing on a FAILED compaction by default and reports it', async () => {
    const world = await validationWorld({ analyzer: { merchantName: 'TEA HOUSE' } });
    void world.finishAt(5_000, 'FAILED', ['words']);
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report).toMatchObject({ decision: 'skip', gate: { outcome: 'failed', waitedMs: 6_000 } });
    expect(report.metadata).toEqual({ status: 'skipped' });
    expect(world.labels.writes).toEqual([]);
    expect(world.metadata.updates).toEqual([]);
  });

  it('proceeds unguarded on a timeout by default, as the seed did, with a warning event and a counter', async () => {
    const world = await validationWorld();
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report).toMatchObject({
      decision: 'write_unguarded',
      gate: { outcome: 'timed_out', waitedMs: 120_000 },
    });
    expect(world.labels.writes).toEqual([
      expect.objectContaining({ guarded: false, at: world.t0 + 120_000 }),
    ]);
    expect(world.telemetry.eventsOf('validation.unguarded_write')).toHaveLength(1);
    expect(world.telemetry.metricTotal('UnguardedLabelWrites')).toBe(1);
  });

  it('skips or fails on a timeout when the policy says so, writing nothing', async () => {
    const skipping = await validationWorld({ policy: { timed_out: 'skip' } });
    const skipped = await skipping.clock.run(validateReceipt(skipping.deps, { run: RUN }));
    expect(skipped.decision).toBe('skip');
    expect(skipping.labels.writes).toEqual([]);

    const failing = await validationWorld({ policy: { timed_out: 'fail' } });
    await expect(failing.clock.run(validateReceipt(failing.deps, { run: RUN }))).rejects.toBeInstanceOf(
      GateOutcomeError,
    );
    expect(failing.labels.writes).toEqual([]);
  });

  it('caps the wait with the caller deadline', async () => {
    const world = await validationWorld({ policy: { timed_out: 'skip' } });
    const report = await world.clock.run(
      validateReceipt(world.deps, { run: RUN, deadlineAt: world.t0 + 30_000 }),
    );
    expect(report.gate).toMatchObject({ outcome: 'timed_out', waitedMs: 30_000 });
  });

  it('corrects the metadata after the labels, only the fields that differ, conditionally on what it read', async () => {
    const world = await validationWorld({ analyzer: { merchantName: 'COFFEE HUT ROASTERS' } });
    void world.finishAt(3_000, 'COMPLETED');
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report.metadata).toMatchObject({
      status: 'corrected',
      changes: { merchantName: 'COFFEE HUT ROASTERS' },
    });
    expect(world.metadata.updates).toHaveLength(1);
    expect(world.labels.writes).toHaveLength(1);
    expect(world.labels.writes[0]?.at).toBeLessThanOrEqual(world.metadata.updates[0]?.at ?? -1);
    // Another business: the old place no longer holds, and the record says who corrected it.
    expect(await world.metadata.getMerchantRecord(RUN)).toMatchObject({
      merchantName: 'COFFEE HUT ROASTERS',
      placeId: '',
      validationStatus: 'NO_MATCH',
      validatedBy: 'INFERENCE',
      reasoning: 'header says otherwise',
    });
  });

  it('reports a conflict and writes nothing when the metadata changed since it was read', async () => {
    const world = await validationWorld({ analyzer: { merchantName: 'COFFEE HUT ROASTERS' } });
    void world.finishAt(3_000, 'COMPLETED');
    const read = await world.metadata.getMerchantRecord(RUN);
    void world.clock
      .sleep(1_000)
      .then(() => read && world.metadata.put({ ...read, merchantName: 'BEAN BAR' }));
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report.metadata.status).toBe('conflict');
    expect((await world.metadata.getMerchantRecord(RUN))?.merchantName).toBe('BEAN BAR');
  });

  it('leaves the metadata alone when the verdict matches', async () => {
    const world = await validationWorld();
    void world.finishAt(1_000, 'COMPLETED');
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report.metadata).toEqual({ status: 'matches' });
    expect(world.metadata.updates).toEqual([]);
    expect(world.telemetry.metrics).toContainEqual({ name: 'MetadataCorrections', value: 0, unit: 'Count' });
    expect(world.telemetry.eventsOf('validation.completed')[0]).toMatchObject({ metadataCorrected: false });
  });

  it('never changes a decided label and is idempotent when run twice', async () => {
    const world = await validationWorld();
    void world.finishAt(1_000, 'COMPLETED');
    const decided = parseWordLabel({
      ...RUN,
      lineId: 2,
      wordId: 2,
      label: 'GRAND_TOTAL',
      timestampAdded: '2026-01-01T00:00:00.000Z',
      validationStatus: 'INVALID',
      labelProposedBy: 'human',
    });
    world.labels.put(decided);
    const first = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    const afterFirst = await world.labels.getLabels(RUN);
    const second = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(first.labels).toMatchObject({ written: 2, frozen: 1 });
    expect(second.labels).toMatchObject({ written: 0, alreadyPresent: 2, frozen: 1 });
    expect(await world.labels.getLabels(RUN)).toEqual(afterFirst);
    expect(afterFirst.find((l) => l.label === 'GRAND_TOTAL')).toEqual(decided);
  });

  it('rejects, with reasons, proposals for words not on the receipt or not labelable, and writes the rest', async () => {
    const world = await validationWorld({
      analyzer: {
        proposals: [
          { lineId: 2, wordId: 2, label: 'GRAND_TOTAL', reasoning: 'total' },
          { lineId: 9, wordId: 9, label: 'TAX', reasoning: 'made up' },
          { lineId: 1, wordId: 1, label: 'NOT_A_LABEL' as 'TAX', reasoning: 'bad label' },
          { lineId: 1, wordId: 2, label: 'MERCHANT_NAME', reasoning: '' },
        ],
      },
    });
    void world.finishAt(1_000, 'COMPLETED');
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report.labels.written).toBe(1);
    expect(report.labels.rejected.map((r) => r.reason)).toEqual([
      'no word 9/9 on this receipt',
      expect.stringContaining('RECEIPT_WORD_LABEL.label: expected one of'),
      expect.stringContaining('RECEIPT_WORD_LABEL.reasoning'),
    ]);
  });

  it('stops the gate at once and rethrows, writing nothing, when the analysis fails', async () => {
    const world = await validationWorld({
      analyzer: { delayMs: 5_000, error: new Error('model unreachable') },
    });
    await expect(world.clock.run(validateReceipt(world.deps, { run: RUN }))).rejects.toThrow(
      'model unreachable',
    );
    expect(world.clock.now() - world.t0).toBe(5_000);
    expect(world.runs.reads).toBe(3);
    expect(world.labels.writes).toEqual([]);
    expect(world.clock.pendingTimers()).toBe(0);
    await world.clock.advance(60_000);
    expect(world.runs.reads).toBe(3);
  });

  it('rethrows a permanent gate failure at once, stopping the analysis, writing nothing', async () => {
    const world = await validationWorld({ analyzer: { delayMs: 60_000 } });
    world.runs.readFaults.failNext(1, 'permanent');
    await expect(world.clock.run(validateReceipt(world.deps, { run: RUN }))).rejects.toBeInstanceOf(
      InjectedPermanentError,
    );
    expect(world.clock.now() - world.t0).toBe(0);
    expect(world.analyzer.options[0]?.signal?.aborted).toBe(true);
    expect(world.labels.writes).toEqual([]);
    expect(world.clock.pendingTimers()).toBe(0);
  });

  it('refuses a policy that would write after a FAILED compaction or an abort, or that names no action', () => {
    expect(() => resolveOutcomePolicy({ failed: 'proceed' as 'skip' })).toThrow(InvalidValueError);
    expect(() => resolveOutcomePolicy({ failed: 'proceed' as 'skip' })).toThrow(
      'OutcomePolicy.failed: expected one of skip | fail, got proceed',
    );
    expect(() => resolveOutcomePolicy({ aborted: 'proceed' as 'skip' })).toThrow(
      'OutcomePolicy.aborted: expected one of skip | fail, got proceed',
    );
    expect(() => resolveOutcomePolicy({ timed_out: 'wait' as 'skip' })).toThrow(
      'OutcomePolicy.timed_out: expected one of proceed | skip | fail, got wait',
    );
    expect(resolveOutcomePolicy({ not_found: 'fail' })).toEqual({
      failed: 'skip',
      timed_out: 'proceed',
      not_found: 'fail',
      aborted: 'skip',
    });
  });
});

describe('validateReceipt against its deadline', () => {
  it('settles by the deadline and writes no label when the analyzer ignores its signal and the gate fails at 5 s', async () => {
    const world = await validationWorld({ analyzer: { delayMs: 600_000, ignoresSignal: true } });
    void world.finishAt(5_000, 'FAILED', ['words']);
    const report = await world.clock.run(
      validateReceipt(world.deps, { run: RUN, deadlineAt: world.t0 + 30_000 }),
    );
    expect(world.clock.now() - world.t0).toBeLessThanOrEqual(30_000);
    expect(report).toMatchObject({
      decision: 'skip',
      gate: { outcome: 'failed' },
      analysis: { outcome: 'stopped' },
    });
    expect(world.labels.writes).toEqual([]);
    expect(world.metadata.updates).toEqual([]);
  });

  it('lets go of an analysis still running at the deadline: reported `overran`, counted, nothing written from it', async () => {
    const world = await validationWorld({ analyzer: { delayMs: 600_000, ignoresSignal: true } });
    void world.finishAt(5_000, 'COMPLETED');
    const report = await world.clock.run(
      validateReceipt(world.deps, { run: RUN, deadlineAt: world.t0 + 30_000 }),
    );
    expect(world.clock.now() - world.t0).toBe(30_000);
    expect(report).toMatchObject({
      decision: 'skip',
      gate: { outcome: 'completed', waitedMs: 6_000 },
      analysis: { outcome: 'overran' },
      analyzer: 'none',
      labels: { proposed: 0, written: 0 },
      timings: { gateMs: 6_000, analysisMs: 0, totalMs: 30_000 },
    });
    expect(world.labels.writes).toEqual([]);
    expect(world.telemetry.metricTotal('AnalysisOverruns')).toBe(1);
    expect(world.telemetry.eventsOf('validation.completed')[0]).toMatchObject({
      analysis: 'overran',
      aborted: false,
    });
  });

  it('lets an analysis that honours its signal go at the deadline too, and leaves no timer', async () => {
    const world = await validationWorld({ analyzer: { delayMs: 600_000 } });
    const report = await world.clock.run(
      validateReceipt(world.deps, { run: RUN, deadlineAt: world.t0 + 10_000 }),
    );
    expect(report).toMatchObject({
      gate: { outcome: 'timed_out', waitedMs: 10_000 },
      analysis: { outcome: 'overran' },
    });
    expect(world.analyzer.options[0]?.signal?.aborted).toBe(true);
    expect(world.clock.pendingTimers()).toBe(0);
  });

  it('gives the analyzer the deadline and uses an analysis that returns before it', async () => {
    const world = await validationWorld({ analyzer: { delayMs: 20_000 } });
    void world.finishAt(3_000, 'COMPLETED');
    const deadlineAt = world.t0 + 30_000;
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN, deadlineAt }));
    expect(world.analyzer.options[0]?.deadlineAt).toBe(deadlineAt);
    expect(report).toMatchObject({ analysis: { outcome: 'returned' }, labels: { written: 3 } });
    expect(world.telemetry.metricTotal('AnalysisOverruns')).toBe(0);
    expect(world.clock.pendingTimers()).toBe(0);
  });

  it('lets the analysis go as soon as the gate says nothing will be written', async () => {
    const world = await validationWorld({
      analyzer: { delayMs: 60_000, ignoresSignal: true },
      gatePolicy: { maxWaitMs: 20_000 },
      policy: { timed_out: 'skip' },
    });
    const report = await world.clock.run(
      validateReceipt(world.deps, { run: RUN, deadlineAt: world.t0 + 90_000 }),
    );
    expect(world.clock.now() - world.t0).toBe(20_000);
    expect(report).toMatchObject({ decision: 'skip', analysis: { outcome: 'stopped' } });
  });

  it('rejects a deadline that is not a finite epoch ms, or a malformed run, before reading anything', async () => {
    const world = await validationWorld();
    for (const deadlineAt of [Number.NaN, Number.NEGATIVE_INFINITY]) {
      await expect(validateReceipt(world.deps, { run: RUN, deadlineAt })).rejects.toThrow(
        'ValidateReceiptRequest.deadlineAt: expected a finite epoch ms',
      );
    }
    let receiptReads = 0;
    const receipts = {
      getReceiptContent: (receipt: Parameters<typeof world.receipts.getReceiptContent>[0]) => {
        receiptReads++;
        return world.receipts.getReceiptContent(receipt);
      },
      saveReceiptContent: world.receipts.saveReceiptContent.bind(world.receipts),
    };
    const malformed = validateReceipt({ ...world.deps, receipts }, { run: { ...RUN, receiptId: -1 } });
    await expect(malformed).rejects.toBeInstanceOf(InvalidValueError);
    await expect(malformed).rejects.toThrow('receipt_id: expected a positive integer');
    expect(world.runs.reads).toBe(0);
    expect(receiptReads).toBe(0);
    expect(world.analyzer.calls).toBe(0);
  });
});

describe('validateReceipt on a caller abort', () => {
  /** A world whose label write lets the caller abort while it is in flight (after the store applied it). */
  async function abortDuringLabelWrite(policy: 'skip' | 'fail') {
    const world = await validationWorld({
      analyzer: { merchantName: 'COFFEE HUT ROASTERS' },
      policy: { aborted: policy },
    });
    const controller = new AbortController();
    const labels: LabelRepository = {
      getLabels: (receipt) => world.labels.getLabels(receipt),
      getWordLabels: (word) => world.labels.getWordLabels(word),
      async saveLabels(batch, options) {
        const saved = await world.labels.saveLabels(batch, options);
        controller.abort(new Error('out of time'));
        return saved;
      },
    };
    void world.finishAt(1_000, 'COMPLETED');
    const validating = validateReceipt({ ...world.deps, labels }, { run: RUN, signal: controller.signal });
    return { world, validating };
  }

  /** The caller aborts `abortAtMs` after the start, with the gate and the analysis timed as given. */
  async function abortAt(
    abortAtMs: number,
    setup: { completeAtMs?: number; analysisMs: number; policy: 'skip' | 'fail' },
  ) {
    const world = await validationWorld({
      analyzer: { delayMs: setup.analysisMs, ignoresSignal: true },
      policy: { aborted: setup.policy },
    });
    if (setup.completeAtMs !== undefined) void world.finishAt(setup.completeAtMs, 'COMPLETED');
    const controller = new AbortController();
    if (abortAtMs === 0) controller.abort(new Error('gone before the start'));
    else void world.clock.sleep(abortAtMs).then(() => controller.abort(new Error('out of time')));
    const validating = validateReceipt(world.deps, { run: RUN, signal: controller.signal });
    return { world, validating };
  }

  const POINTS = [
    { point: 'before the start', abortAtMs: 0, completeAtMs: undefined, analysisMs: 1_000, during: 'gate' },
    {
      point: 'while the gate waits',
      abortAtMs: 3_000,
      completeAtMs: undefined,
      analysisMs: 600_000,
      during: 'gate',
    },
    {
      point: 'while the gate waits, the analysis done',
      abortAtMs: 3_000,
      completeAtMs: undefined,
      analysisMs: 1_000,
      during: 'gate',
    },
    {
      point: 'after the gate completed, the analysis running',
      abortAtMs: 5_000,
      completeAtMs: 1_000,
      analysisMs: 600_000,
      during: 'analysis',
    },
  ] as const;

  it.each(POINTS)(
    'resolves with a report recording it, writing nothing, when it comes $point',
    async (point) => {
      const { world, validating } = await abortAt(point.abortAtMs, { ...point, policy: 'skip' });
      const report = await world.clock.run(validating);
      expect(world.clock.now() - world.t0).toBe(point.abortAtMs);
      expect(report).toMatchObject({
        decision: 'skip',
        aborted: { afterMs: point.abortAtMs, during: point.during },
        analysis: { outcome: point.analysisMs < point.abortAtMs ? 'returned' : 'aborted' },
        labels: { written: 0 },
        metadata: { status: 'skipped' },
      });
      expect(world.labels.writes).toEqual([]);
      expect(world.metadata.updates).toEqual([]);
      expect(world.clock.pendingTimers() - world.analyzer.sleeping).toBe(0);
      expect(world.telemetry.eventsOf('validation.completed')[0]).toMatchObject({ aborted: true });
      if (point.abortAtMs === 0) {
        expect(world.runs.reads).toBe(0);
        expect(world.analyzer.calls).toBe(0);
      }
    },
  );

  it.each(POINTS)(
    'rejects with ValidationAbortedError carrying that report under `aborted: fail`, when it comes $point',
    async (point) => {
      const { world, validating } = await abortAt(point.abortAtMs, { ...point, policy: 'fail' });
      const error = await world.clock.run(validating).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(ValidationAbortedError);
      expect(error).toBeInstanceOf(GateOutcomeError);
      expect(world.clock.now() - world.t0).toBe(point.abortAtMs);
      const { report } = error as ValidationAbortedError;
      expect(report).toMatchObject({
        decision: 'skip',
        aborted: { afterMs: point.abortAtMs, during: point.during },
      });
      expect((error as ValidationAbortedError).message).toContain(
        `aborted by the caller ${point.abortAtMs} ms after it started`,
      );
      expect(world.labels.writes).toEqual([]);
    },
  );

  it('during the label write: that write is reported, no metadata correction follows, the abort is recorded', async () => {
    const { world, validating } = await abortDuringLabelWrite('skip');
    const report = await world.clock.run(validating);
    expect(report).toMatchObject({
      decision: 'write_guarded',
      labels: { written: 3 },
      metadata: { status: 'skipped' },
      aborted: { afterMs: 2_000, during: 'writes' },
    });
    expect(world.metadata.updates).toEqual([]);
  });

  it('during the label write under `aborted: fail`: ValidationAbortedError with the labels written in its report', async () => {
    const { world, validating } = await abortDuringLabelWrite('fail');
    const error = await world.clock.run(validating).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ValidationAbortedError);
    expect((error as ValidationAbortedError).report).toMatchObject({
      labels: { written: 3 },
      aborted: { during: 'writes' },
    });
    expect((error as ValidationAbortedError).reason).toEqual(new Error('out of time'));
    expect(world.metadata.updates).toEqual([]);
  });
});

describe('validateReceipt with untrusted metadata corrections', () => {
  async function correcting(corrections: Record<string, unknown>) {
    const world = await validationWorld({ analyzer: { corrections } });
    void world.finishAt(1_000, 'COMPLETED');
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    return { world, report };
  }

  it('writes nothing for a correction equal to the value read', async () => {
    const { world, report } = await correcting({ merchantName: 'COFFEE HUT' });
    expect(report.metadata).toEqual({ status: 'matches' });
    expect(report.corrections).toEqual({ proposed: 1, rejected: [] });
    expect(world.metadata.updates).toEqual([]);
  });

  it('refuses, reports and counts a correction of a field that cannot be corrected, or an empty or non-string one, after writing the labels, never throwing', async () => {
    const { world, report } = await correcting({
      placeId: 'place-2',
      address: '',
      phoneNumber: 42,
      merchantCategory: 'Cafe',
      merchantName: 'Coffee Hut Roasters',
    });
    expect(report.labels.written).toBe(3);
    expect(report.corrections).toEqual({
      proposed: 5,
      rejected: [
        { field: 'placeId', reason: 'placeId is not a field a validation may correct' },
        { field: 'address', reason: 'expected a non-empty string, got ""' },
        { field: 'phoneNumber', reason: 'expected a non-empty string, got 42' },
        { field: 'merchantCategory', reason: 'merchantCategory is not a field a validation may correct' },
      ],
    });
    expect(report.metadata).toMatchObject({
      status: 'corrected',
      changes: { merchantName: 'Coffee Hut Roasters' },
    });
    expect(world.metadata.updates).toEqual([
      expect.objectContaining({ next: expect.objectContaining({ merchantName: 'Coffee Hut Roasters' }) }),
    ]);
    expect(world.telemetry.metricTotal('CorrectionsRejected')).toBe(4);
  });

  it('refuses corrections that are not an object of fields', async () => {
    const { world, report } = await correcting(['merchantName'] as unknown as Record<string, unknown>);
    expect(report.corrections).toEqual({
      proposed: 1,
      rejected: [{ field: 'corrections', reason: 'expected an object of fields, got object' }],
    });
    expect(report.metadata).toEqual({ status: 'matches' });
    expect(world.metadata.updates).toEqual([]);
  });

  it('ignores corrections that come with a verdict that matches', async () => {
    const world = await validationWorld();
    world.deps.analyzer.analyze = async () => ({
      analyzer: 'SCRIPTED',
      proposals: [],
      metadata: { matches: true, corrections: { merchantName: 'ELSEWHERE' }, reasoning: 'fine' },
    });
    void world.finishAt(1_000, 'COMPLETED');
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report).toMatchObject({
      metadata: { status: 'matches' },
      corrections: { proposed: 0, rejected: [] },
    });
    expect(world.metadata.updates).toEqual([]);
  });

  it('fails, before any write, on an analysis without a list of proposals', async () => {
    const world = await validationWorld();
    world.deps.analyzer.analyze = async () => ({ analyzer: 'SCRIPTED' }) as never;
    void world.finishAt(1_000, 'COMPLETED');
    await expect(world.clock.run(validateReceipt(world.deps, { run: RUN }))).rejects.toThrow(
      'ReceiptAnalysis.proposals: expected a list of label proposals from analyzer SCRIPTED, got nothing',
    );
    expect(world.labels.writes).toEqual([]);
  });
});

describe('validateReceipt, what it tells the analyzer and reports', () => {
  it("passes the caller's abort reason, the gate's outcome or the deadline on to the analyzer's signal", async () => {
    const aborting = await validationWorld({ analyzer: { delayMs: 600_000 } });
    const controller = new AbortController();
    const reason = new Error('out of time');
    void aborting.clock.sleep(1_000).then(() => controller.abort(reason));
    await aborting.clock.run(validateReceipt(aborting.deps, { run: RUN, signal: controller.signal }));
    expect(aborting.analyzer.options[0]?.signal?.reason).toBe(reason);

    const failing = await validationWorld({ analyzer: { delayMs: 600_000 } });
    void failing.finishAt(1_000, 'FAILED', ['lines']);
    await failing.clock.run(validateReceipt(failing.deps, { run: RUN }));
    expect(failing.analyzer.options[0]?.signal?.reason).toEqual(new Error('the gate ended failed'));

    const late = await validationWorld({ analyzer: { delayMs: 600_000 } });
    await late.clock.run(validateReceipt(late.deps, { run: RUN, deadlineAt: late.t0 + 1_000 }));
    expect(late.analyzer.options[0]?.signal?.reason).toEqual(new Error('the validation deadline passed'));
  });

  it('reads nothing of the receipt when the signal is already aborted, and calls no analyzer when it aborts during the read', async () => {
    const world = await validationWorld();
    let reads = 0;
    const controller = new AbortController();
    const receipts = {
      ...world.receipts,
      getReceiptContent: (receipt: Parameters<typeof world.receipts.getReceiptContent>[0]) => {
        reads++;
        controller.abort(new Error('gone while reading'));
        return world.receipts.getReceiptContent(receipt);
      },
      saveReceiptContent: world.receipts.saveReceiptContent.bind(world.receipts),
    };
    const report = await world.clock.run(
      validateReceipt({ ...world.deps, receipts }, { run: RUN, signal: controller.signal }),
    );
    expect(reads).toBe(1);
    expect(world.analyzer.calls).toBe(0);
    expect(report).toMatchObject({ aborted: { afterMs: 0 }, analysis: { outcome: 'aborted' } });

    const again = await validateReceipt({ ...world.deps, receipts }, { run: RUN, signal: controller.signal });
    expect(reads).toBe(1);
    expect(again).toMatchObject({ decision: 'skip', gate: { outcome: 'aborted', polls: 0 } });
  });

  it('reports no_metadata, never an error, when there is no metadata or no verdict to apply', async () => {
    const bare = await validationWorld({
      analyzer: { corrections: { merchantName: 'TEA HOUSE', address: '' } },
    });
    bare.deps.metadata.getMerchantRecord = async () => undefined;
    void bare.finishAt(1_000, 'COMPLETED');
    const withoutMetadata = await bare.clock.run(validateReceipt(bare.deps, { run: RUN }));
    expect(withoutMetadata).toMatchObject({
      metadata: { status: 'no_metadata' },
      corrections: { proposed: 0, rejected: [] },
      labels: { written: 3 },
    });

    const silent = await validationWorld();
    silent.deps.analyzer.analyze = async () => ({ analyzer: 'SCRIPTED', proposals: [] });
    void silent.finishAt(1_000, 'COMPLETED');
    const withoutVerdict = await silent.clock.run(validateReceipt(silent.deps, { run: RUN }));
    expect(withoutVerdict.metadata).toEqual({ status: 'no_metadata' });
    expect(silent.metadata.updates).toEqual([]);
  });

  it('takes a correction given as undefined for no correction, and refuses corrections that are null or text', async () => {
    const world = await validationWorld({
      analyzer: { corrections: { merchantName: undefined, address: '1 Main St' } },
    });
    void world.finishAt(1_000, 'COMPLETED');
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report.corrections).toEqual({ proposed: 1, rejected: [] });
    expect(report.metadata).toMatchObject({ status: 'corrected', changes: { address: '1 Main St' } });

    for (const [corrections, got] of [
      [null, 'null'],
      ['TEA HOUSE', '"TEA HOUSE"'],
    ] as const) {
      const odd = await validationWorld({
        analyzer: { corrections: corrections as unknown as Record<string, unknown> },
      });
      void odd.finishAt(1_000, 'COMPLETED');
      const oddReport = await odd.clock.run(validateReceipt(odd.deps, { run: RUN }));
      expect(oddReport.corrections.rejected).toEqual([
        { field: 'corrections', reason: `expected an object of fields, got ${got}` },
      ]);
      expect(odd.metadata.updates).toEqual([]);
    }
  });

  it('fails before any write on an analysis that is not one at all', async () => {
    const world = await validationWorld();
    world.deps.analyzer.analyze = async () => null as never;
    void world.finishAt(1_000, 'COMPLETED');
    await expect(world.clock.run(validateReceipt(world.deps, { run: RUN }))).rejects.toThrow(
      'ReceiptAnalysis.proposals: expected a list of label proposals',
    );
    expect(world.labels.writes).toEqual([]);
  });

  it('counts what it did in its metrics and its completion event', async () => {
    const world = await validationWorld({
      analyzer: {
        delayMs: 4_000,
        corrections: { merchantName: 'COFFEE HUT ROASTERS', placeId: 'p' },
        proposals: [
          { lineId: 1, wordId: 1, label: 'MERCHANT_NAME', reasoning: 'header' },
          { lineId: 2, wordId: 2, label: 'GRAND_TOTAL', reasoning: 'total' },
          { lineId: 9, wordId: 9, label: 'TAX', reasoning: 'no such word' },
        ],
      },
    });
    world.labels.put(
      parseWordLabel({
        ...RUN,
        lineId: 2,
        wordId: 2,
        label: 'GRAND_TOTAL',
        timestampAdded: '2026-01-01T00:00:00.000Z',
        validationStatus: 'VALID',
        labelProposedBy: 'human',
      }),
    );
    void world.finishAt(1_000, 'COMPLETED');
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report).toMatchObject({
      analyzer: 'SCRIPTED',
      analysis: { outcome: 'returned' },
      labels: { proposed: 3, written: 1, frozen: 1, alreadyPresent: 0 },
      timings: { gateMs: 2_000, analysisMs: 4_000, totalMs: 4_000 },
    });
    const { telemetry } = world;
    expect(
      Object.fromEntries(
        [
          'LabelsWritten',
          'LabelsFrozen',
          'ProposalsRejected',
          'CorrectionsRejected',
          'MetadataCorrections',
          'AnalysisOverruns',
          'UnguardedLabelWrites',
        ].map((name) => [
          name,
          telemetry.metrics.filter((m) => m.name === name).map((m) => [m.value, m.unit]),
        ]),
      ),
    ).toEqual({
      LabelsWritten: [[1, 'Count']],
      LabelsFrozen: [[1, 'Count']],
      ProposalsRejected: [[1, 'Count']],
      CorrectionsRejected: [[1, 'Count']],
      MetadataCorrections: [[1, 'Count']],
      AnalysisOverruns: [[0, 'Count']],
      UnguardedLabelWrites: [],
    });
    expect(telemetry.eventsOf('validation.completed')).toEqual([
      {
        type: 'validation.completed',
        run: RUN,
        outcome: 'completed',
        analysis: 'returned',
        aborted: false,
        labelsWritten: 1,
        metadataCorrected: true,
        totalMs: 4_000,
      },
    ]);
  });
});

describe('validateReceipt, the rest of what it promises', () => {
  it('gives the analyzer the receipt, its lines, words and metadata, and no deadline when it has none', async () => {
    const world = await validationWorld();
    void world.finishAt(1_000, 'COMPLETED');
    await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(world.analyzer.inputs).toEqual([
      {
        receipt: { imageId: RUN.imageId, receiptId: RUN.receiptId },
        lines: [],
        words: WORDS,
        metadata: await world.metadata.getMerchantRecord(RUN),
      },
    ]);
    expect(world.analyzer.options[0]).not.toHaveProperty('deadlineAt');
    const asked: WaitOptions[] = [];
    const gate = {
      waitForCompaction: (key: typeof RUN, options: WaitOptions = {}) => {
        asked.push(options);
        return world.gate.waitForCompaction(key, options);
      },
    };
    await world.clock.run(validateReceipt({ ...world.deps, gate }, { run: RUN }));
    await world.clock.run(
      validateReceipt({ ...world.deps, gate }, { run: RUN, deadlineAt: world.t0 + 60_000 }),
    );
    expect(asked[0]).not.toHaveProperty('deadlineAt');
    expect(asked[1]?.deadlineAt).toBe(world.t0 + 60_000);
    expect(getEventListeners(world.analyzer.options[0]?.signal as AbortSignal, 'abort')).toHaveLength(0);

    const bare = await validationWorld();
    bare.deps.metadata.getMerchantRecord = async () => undefined;
    void bare.finishAt(1_000, 'COMPLETED');
    await bare.clock.run(validateReceipt(bare.deps, { run: RUN }));
    expect(bare.analyzer.inputs[0]).not.toHaveProperty('metadata');
  });

  it('writes unguarded, on `proceed`, an analysis that returns after the gate timed out', async () => {
    const world = await validationWorld({ analyzer: { delayMs: 40_000 }, gatePolicy: { maxWaitMs: 30_000 } });
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report).toMatchObject({
      decision: 'write_unguarded',
      gate: { outcome: 'timed_out', waitedMs: 30_000 },
      analysis: { outcome: 'returned' },
      labels: { written: 3 },
    });
    expect(world.labels.writes).toEqual([expect.objectContaining({ guarded: false, at: world.t0 + 40_000 })]);
    expect(world.telemetry.metrics).toContainEqual({ name: 'UnguardedLabelWrites', value: 1, unit: 'Count' });
  });

  it('neither warns nor counts an unguarded write when there is no label to write', async () => {
    const world = await validationWorld({ analyzer: { proposals: [] } });
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report).toMatchObject({ decision: 'write_unguarded', labels: { written: 0 } });
    expect(world.labels.writes).toEqual([]);
    expect(world.telemetry.eventsOf('validation.unguarded_write')).toEqual([]);
    expect(world.telemetry.metricTotal('UnguardedLabelWrites')).toBe(0);
  });

  it('reports a skip with empty counts: nothing written, rejected, frozen or corrected', async () => {
    const world = await validationWorld({
      analyzer: { merchantName: 'TEA HOUSE' },
      policy: { timed_out: 'skip' },
    });
    const report = await world.clock.run(validateReceipt(world.deps, { run: RUN }));
    expect(report).toMatchObject({
      decision: 'skip',
      analyzer: 'SCRIPTED',
      labels: { proposed: 3, written: 0, alreadyPresent: 0, frozen: 0, rejected: [] },
      corrections: { proposed: 0, rejected: [] },
      metadata: { status: 'skipped' },
    });
  });
});
