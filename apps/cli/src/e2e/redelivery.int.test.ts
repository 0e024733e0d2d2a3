import type { CompactionRunKey } from '@receipt-gate/core';
import { PHARMACY_RECEIPT } from '@receipt-gate/core/testing';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, type E2ESystem, e2e, MODES, type ReceiptState, uploadOf } from './e2e.test-support.js';

// Its labels and its metadata correction each go through the stream.
const SAMPLE = PHARMACY_RECEIPT;

async function uploadAndSettle(system: E2ESystem): Promise<CompactionRunKey> {
  const { run } = await system.upload(uploadOf(SAMPLE));
  await system.settle();
  return run;
}

// Everything but the clock times at which the two systems happened to write.
const withoutTimes = ({ run, labels, metadata, vectors }: ReceiptState) => ({
  run: run && {
    linesState: run.linesState,
    wordsState: run.wordsState,
    linesMergedVectors: run.linesMergedVectors,
    wordsMergedVectors: run.wordsMergedVectors,
  },
  labels: labels.map(({ timestampAdded: _at, ...label }) => label),
  metadata: metadata && { ...metadata, timestamp: undefined },
  vectors,
});

describe.concurrent.each(MODES)('%s mode, every stream batch delivered twice', (mode) => {
  e2e(
    'ends with the same labels, metadata and snapshots as a run whose batches were delivered once',
    E2E_TIMEOUT,
    async ({ start }) => {
      const [once, twice] = await Promise.all([start({ mode }), start({ mode, redeliver: true })]);
      const [key, keyTwice] = await Promise.all([uploadAndSettle(once), uploadAndSettle(twice)]);
      expect(keyTwice).toStrictEqual(key);

      const expected = withoutTimes(await once.state(key));
      expect(expected.labels).not.toHaveLength(0);
      expect(expected.metadata?.merchantName).not.toBe(SAMPLE.metadata.merchantName);
      expect(withoutTimes(await twice.state(key))).toStrictEqual(expected);
      expect(await once.violations([key])).toEqual([]);
      expect(await twice.violations([key])).toEqual([]);

      // Every record went through the handlers twice, and the second pass changed nothing.
      const [stats, statsTwice] = [once.pump.stats(), twice.pump.stats()];
      expect(statsTwice.dispatcher?.recordsDelivered).toBe(2 * (stats.dispatcher?.recordsDelivered ?? 0));
      expect(twice.recorder.record(key).labelsWritten).toBe(once.recorder.record(key).labelsWritten);
      expect(twice.recorder.record(key).validations).toBe(mode === 'event' ? 2 : 1);
      if (mode === 'event') {
        // The settled run was handed to the validation once per delivery.
        expect(twice.validations?.stats().events).toBe(2 * (once.validations?.stats().events ?? 0));
      }
    },
  );
});
