import {
  type EmbeddingSnapshotStore,
  GateOutcomeError,
  labelVectorFields,
  metadataVectorFields,
  wordVectorId,
} from '@receipt-gate/core';
import { PHARMACY_RECEIPT } from '@receipt-gate/core/testing';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, e2e, uploadOf } from './e2e.test-support.js';

// Each merge takes three times the gate's budget.
const SLOW = { compactionDelayMs: 1_500, gatePolicy: { pollIntervalMs: 100, maxWaitMs: 500 } } as const;
const payload = uploadOf(PHARMACY_RECEIPT);
/** The store with its merges held until `until` settles. */
const mergesAfter =
  (until: Promise<void>) =>
  (store: EmbeddingSnapshotStore): EmbeddingSnapshotStore => ({
    merge: async (collection, vectors) => {
      await until;
      return store.merge(collection, vectors);
    },
    patch: (collection, patches) => store.patch(collection, patches),
    refresh: (collection, prefix, fieldsOf) => store.refresh(collection, prefix, fieldsOf),
    list: (collection, prefix) => store.list(collection, prefix),
    remove: (collection, ids) => store.remove(collection, ids),
  });
const completedAt = (run: { linesFinishedAt?: string; wordsFinishedAt?: string } | undefined) =>
  Math.max(Date.parse(run?.linesFinishedAt ?? ''), Date.parse(run?.wordsFinishedAt ?? ''));

describe.concurrent('a compaction slower than the gate budget', () => {
  e2e(
    'inline, default policy: the gate times out, labels are written unguarded and reported, and every update still reaches the vectors',
    E2E_TIMEOUT,
    async ({ start }) => {
      // The merges wait for the upload's validation too: on a busy machine its writes could otherwise take longer
      // than the merge, and the race this test is about would not happen.
      let validated = () => {};
      const uploadReturned = new Promise<void>((resolve) => {
        validated = resolve;
      });
      const system = await start({ mode: 'inline', ...SLOW, wrapSnapshots: mergesAfter(uploadReturned) });
      const { run: key, validation } = await system.upload(payload);
      validated();
      expect(validation?.gate.outcome).toBe('timed_out');
      expect(validation?.gate.waitedMs).toBeGreaterThanOrEqual(SLOW.gatePolicy.maxWaitMs);
      expect(validation?.decision).toBe('write_unguarded');
      expect(validation?.metadata.status).toBe('corrected');
      expect(system.recorder.record(key).unguarded).toBe(true);
      expect(system.telemetry.eventsOf('validation.unguarded_write')).toMatchObject([
        { run: key, outcome: 'timed_out', labels: validation?.labels.written },
      ]);
      expect(system.telemetry.metricTotal('UnguardedLabelWrites')).toBe(1);

      await system.settle();
      const { run, labels, metadata, vectors } = await system.state(key);
      expect(run).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
      // The race happened: every label and the correction landed before the merge did...
      expect(labels).toHaveLength(validation?.labels.written ?? -1);
      for (const label of labels) expect(Date.parse(label.timestampAdded)).toBeLessThan(completedAt(run));
      expect(Date.parse(metadata?.timestamp ?? '')).toBeLessThan(completedAt(run));
      // ...and none of them was lost: the merge built the vectors from the table as it was then.
      for (const vector of vectors.words) {
        const own = labels.filter((label) => wordVectorId(label) === vector.id);
        expect(vector.metadata).toMatchObject(labelVectorFields(own));
      }
      expect(
        vectors.words.filter((vector) => vector.metadata.label_status === 'auto_suggested'),
      ).not.toHaveLength(0);
      // The correction reached the compactor before the merge (deferred, carried by it) or after it (a refresh).
      const deferredMetadata = system.telemetry
        .eventsOf('compaction.changes_deferred')
        .filter(({ change }) => change === 'metadata');
      expect(deferredMetadata.length + system.recorder.record(key).metadataPatches).toBeGreaterThanOrEqual(1);
      for (const vector of [...vectors.lines, ...vectors.words]) {
        expect(vector.metadata).toMatchObject(metadataVectorFields(metadata));
      }
      expect(await system.violations([key])).toEqual([]);
    },
  );

  e2e(
    'inline, timed_out: skip: the gate times out and nothing is written',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode: 'inline', ...SLOW, outcomePolicy: { timed_out: 'skip' } });
      const { run: key, validation } = await system.upload(payload);
      expect(validation).toMatchObject({
        gate: { outcome: 'timed_out' },
        decision: 'skip',
        labels: { written: 0 },
        metadata: { status: 'skipped' },
      });

      await system.settle();
      const { run, labels, metadata } = await system.state(key);
      expect(run).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
      expect(labels).toEqual([]);
      expect(metadata).toStrictEqual(PHARMACY_RECEIPT.metadata);
      expect(system.telemetry.eventsOf('validation.unguarded_write')).toEqual([]);
      expect(await system.violations([key])).toEqual([]);
    },
  );

  e2e(
    'inline, timed_out: fail: the upload rejects with GateOutcomeError having written nothing, and its retry validates behind the completed run',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode: 'inline', ...SLOW, outcomePolicy: { timed_out: 'fail' } });
      const error = await system.upload(payload).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(GateOutcomeError);
      expect((error as GateOutcomeError).result.outcome).toBe('timed_out');
      const [stored] = system.telemetry.eventsOf('upload.stored');
      if (!stored) throw new Error('the upload stored nothing');
      expect((await system.state(stored.run)).labels).toEqual([]);

      await system.settle();
      expect(await system.state(stored.run)).toMatchObject({
        labels: [],
        metadata: PHARMACY_RECEIPT.metadata,
      });

      // Lambda's retry of the failed invocation: the same run, now COMPLETED, so the labels go in guarded.
      const retried = await system.upload(payload);
      expect(retried.run).toStrictEqual(stored.run);
      expect(retried.validation).toMatchObject({ gate: { outcome: 'completed' }, decision: 'write_guarded' });
      await system.settle();
      expect(await system.violations([stored.run])).toEqual([]);
    },
  );

  e2e(
    'event: the validation starts from the COMPLETED record, so the gate completes at its first read however long the merge took',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode: 'event', ...SLOW, outcomePolicy: { timed_out: 'fail' } });
      const { run: key } = await system.upload(payload);
      await system.settle();

      expect(system.recorder.record(key).gate).toMatchObject({ outcome: 'completed', polls: 1 });
      expect(system.recorder.record(key).unguarded).toBe(false);
      expect(system.validations?.stats()).toMatchObject({ retries: 0, failures: 0 });
      expect(await system.violations([key])).toEqual([]);
    },
  );
});
