import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  deltaPrefixes,
  labelVectorFields,
  newCompactionRun,
  toTimestamp,
  wordVectorId,
} from '@receipt-gate/core';
import { GROCERY_RECEIPT } from '@receipt-gate/core/testing';
import { TOKENS } from '@receipt-gate/lambda';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, e2e, uploadOf } from './e2e.test-support.js';

const SAMPLE = GROCERY_RECEIPT;
const MERGE_MS = 1_500;
const RECEIPT = { imageId: SAMPLE.imageId, receiptId: SAMPLE.receiptId };

// The stall the compactor used to have: with the default `timed_out: proceed`, labels are written unguarded while
// the compaction still runs; the compaction then FAILS, and every label record found no vector to update. They
// were retried to the limit and set aside, blocking their shard meanwhile. Now they are acknowledged as deferred,
// and the next successful merge of the receipt carries them.
describe('inline mode, labels written unguarded before a compaction that then FAILS', () => {
  e2e(
    'are deferred, not retried nor set aside, and in the vectors once the receipt is compacted again',
    E2E_TIMEOUT,
    async ({ start }) => {
      // The receipt's words delta is lost: reading it fails, but only after the merge time (the read times out).
      let deltaLost = true;
      const lost = new Set<string>();
      const system = await start({
        mode: 'inline',
        compactionDelayMs: MERGE_MS,
        gatePolicy: { pollIntervalMs: 100, maxWaitMs: 500 },
        wrapDeltas: (store) => ({
          putDelta: async (prefix, vectors) => {
            if (prefix.startsWith('words/') && vectors[0]?.id.includes(SAMPLE.imageId)) lost.add(prefix);
            return store.putDelta(prefix, vectors);
          },
          getDelta: async (prefix) => {
            if (!deltaLost || !lost.has(prefix)) return store.getDelta(prefix);
            await delay(MERGE_MS);
            throw new Error(`simulated fault: the delta under "${prefix}" could not be read`);
          },
        }),
      });
      const { run, validation } = await system.upload(uploadOf(SAMPLE));
      expect(validation).toMatchObject({ gate: { outcome: 'timed_out' }, decision: 'write_unguarded' });
      await system.settle();

      const runs = system.container.get(TOKENS.CompactionRunRepository);
      expect(await runs.getCompactionRun(run)).toMatchObject({
        linesState: 'COMPLETED',
        wordsState: 'FAILED',
      });
      const { labels, vectors } = await system.state(run);
      expect(labels.length).toBeGreaterThan(0);
      expect(vectors.words).toEqual([]);
      // Every label record was acknowledged and counted, none set aside, at most one retry of anything.
      expect(system.unprocessed).toEqual([]);
      expect(system.pump.stats().dispatcher?.retries ?? 0).toBeLessThanOrEqual(1);
      const deferred = system.telemetry.eventsOf('compaction.changes_deferred');
      expect(
        deferred.every(({ receipt, change }) => receipt.imageId === RECEIPT.imageId && change === 'labels'),
      ).toBe(true);
      expect(deferred.reduce((sum, event) => sum + event.records, 0)).toBe(labels.length);
      expect(system.telemetry.metricTotal('CompactionChangesDeferred')).toBe(labels.length);

      // The delta is back: an operator compacts the receipt again, under a new run.
      deltaLost = false;
      const again = { ...RECEIPT, runId: randomUUID() };
      const first = await runs.getCompactionRun(run);
      await runs.createCompactionRun(
        newCompactionRun({
          ...again,
          linesDeltaPrefix: first?.linesDeltaPrefix ?? deltaPrefixes(run).linesDeltaPrefix,
          wordsDeltaPrefix: first?.wordsDeltaPrefix ?? deltaPrefixes(run).wordsDeltaPrefix,
          createdAt: toTimestamp(Date.now()),
        }),
      );
      await system.settle();
      expect(await runs.getCompactionRun(again)).toMatchObject({
        linesState: 'COMPLETED',
        wordsState: 'COMPLETED',
      });
      const compacted = await system.state(again);
      expect(compacted.vectors.words.length).toBeGreaterThan(0);
      for (const vector of compacted.vectors.words) {
        const own = compacted.labels.filter((label) => wordVectorId(label) === vector.id);
        expect(vector.metadata).toMatchObject(labelVectorFields(own));
      }
      expect(
        compacted.vectors.words.filter((vector) => vector.metadata.label_status !== 'unvalidated'),
      ).not.toEqual([]);
      expect(system.unprocessed).toEqual([]);
    },
  );
});
