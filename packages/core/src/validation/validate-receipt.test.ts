import { describe, expect, it } from 'vitest';
import { parseWordLabel } from '../domain/word-label.js';
import { GateOutcomeError } from '../errors/gate-outcome-error.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { resolveOutcomePolicy } from './outcome-policy.js';
import { validateReceipt } from './validate-receipt.js';
import { RUN, validationWorld } from './validation-world.test-support.js';

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

  it('stops the gate and rethrows, writing nothing, when the analysis fails', async () => {
    const world = await validationWorld({
      analyzer: { delayMs: 5_000, error: new Error('model unreachable') },
    });
    await expect(world.clock.run(validateReceipt(world.deps, { run: RUN }))).rejects.toThrow(
      'model unreachable',
    );
    expect(world.labels.writes).toEqual([]);
    expect(world.clock.pendingTimers()).toBe(0);
    const reads = world.runs.reads;
    await world.clock.advance(60_000);
    expect(world.runs.reads).toBe(reads);
  });

  it('settles `aborted` without writing when the caller aborts, leaving nothing running', async () => {
    const world = await validationWorld({ analyzer: { delayMs: 90_000 } });
    const controller = new AbortController();
    const validating = validateReceipt(world.deps, { run: RUN, signal: controller.signal });
    await world.clock.advance(10_000);
    controller.abort(new Error('out of time'));
    const report = await world.clock.run(validating);
    expect(report).toMatchObject({ decision: 'skip', gate: { outcome: 'aborted' } });
    expect(world.labels.writes).toEqual([]);
    expect(world.clock.pendingTimers()).toBe(0);
  });

  it('refuses a policy that would write after a FAILED compaction', () => {
    expect(() => resolveOutcomePolicy({ failed: 'proceed' as 'skip' })).toThrow(InvalidValueError);
  });
});
