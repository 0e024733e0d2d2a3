import { GateOutcomeError } from '@receipt-gate/core';
import { GAS_STATION_RECEIPT, PHARMACY_RECEIPT } from '@receipt-gate/core/testing';
import { describe, expect } from 'vitest';
import type { DeltaRef } from '../local-system/simulated-delta-loss.js';
import { E2E_TIMEOUT, e2e, MODES, uploadOf } from './e2e.test-support.js';

// The pharmacy's words delta cannot be read: its words collection goes FAILED, its lines merge normally.
const lostDeltas = ({ prefix, imageId }: DeltaRef) =>
  imageId === PHARMACY_RECEIPT.imageId && prefix.startsWith('words/');
const SIMULATED_FAULT = /simulated fault: the delta under "words\/delta\/[0-9a-f-]+\/" could not be read$/;
// Long merges, so a gate that waited for the lines collection after the words FAILED would show.
const compactionDelayMs = 1_500;

describe.concurrent.each(MODES)('%s mode, a FAILED compaction', (mode) => {
  e2e(
    'ends the gate as failed at once with its error, writes no label and no correction, and leaves the other receipts alone',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode, compactionDelayMs, lostDeltas });
      // One after the other: the pharmacy's merge is first in the stream.
      const pharmacy = await system.upload(uploadOf(PHARMACY_RECEIPT));
      const gasStation = await system.upload(uploadOf(GAS_STATION_RECEIPT));
      if (mode === 'inline') {
        expect(pharmacy.validation).toMatchObject({
          gate: { outcome: 'failed', error: expect.stringMatching(SIMULATED_FAULT) },
          decision: 'skip',
          labels: { written: 0 },
          metadata: { status: 'skipped' },
        });
        expect(pharmacy.validation?.gate.waitedMs).toBeLessThan(compactionDelayMs);
      }
      await system.settle();

      const record = system.recorder.record(pharmacy.run);
      expect(record.gate?.outcome).toBe('failed');
      expect(record.gate?.waitedMs).toBeLessThan(compactionDelayMs);
      expect(record.labelsWritten).toBe(0);
      const failed = await system.state(pharmacy.run);
      expect(failed.run).toMatchObject({
        linesState: 'COMPLETED',
        wordsState: 'FAILED',
        wordsError: expect.stringMatching(SIMULATED_FAULT),
      });
      expect(failed.labels).toEqual([]);
      expect(failed.metadata).toStrictEqual(PHARMACY_RECEIPT.metadata);
      expect(failed.vectors.words).toEqual([]);
      expect(failed.vectors.lines).toHaveLength(PHARMACY_RECEIPT.lines.length);

      expect(system.recorder.record(gasStation.run).gate?.outcome).toBe('completed');
      const other = await system.state(gasStation.run);
      expect(other.run).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
      expect(other.labels.length).toBeGreaterThan(0);
      expect(await system.violations([pharmacy.run, gasStation.run])).toEqual([]);
    },
  );
});

describe.concurrent('a FAILED compaction with the policy failed: fail', () => {
  e2e(
    'inline: the upload rejects with GateOutcomeError carrying the error text, having written nothing',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode: 'inline', lostDeltas, outcomePolicy: { failed: 'fail' } });
      const error = await system.upload(uploadOf(PHARMACY_RECEIPT)).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(GateOutcomeError);
      expect((error as GateOutcomeError).result).toMatchObject({
        outcome: 'failed',
        error: expect.stringMatching(SIMULATED_FAULT),
      });
      await system.settle();
      const [stored] = system.telemetry.eventsOf('upload.stored');
      if (!stored) throw new Error('the upload stored nothing');
      expect(await system.state(stored.run)).toMatchObject({
        labels: [],
        metadata: PHARMACY_RECEIPT.metadata,
      });
    },
  );

  e2e(
    'event: the validation of the settled run fails, is retried twice, then goes to its on-failure destination; nothing is written',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({
        mode: 'event',
        lostDeltas,
        outcomePolicy: { failed: 'fail' },
        validationRetryDelaysMs: [50, 100],
      });
      const { run: key } = await system.upload(uploadOf(PHARMACY_RECEIPT));
      await system.settle();

      // The dispatcher handed over the run's settled MODIFYs (words FAILED; the last with lines COMPLETED too):
      // each validation failed three times (Lambda's two retries) and was set aside with its payload.
      expect(system.validationFailures.length).toBeGreaterThanOrEqual(1);
      for (const failure of system.validationFailures) {
        expect(failure).toMatchObject({
          requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
          requestPayload: { run: key },
          responsePayload: { errorType: 'GateOutcomeError' },
        });
      }
      const invocations = system.validations?.stats();
      expect(invocations).toMatchObject({ retries: 2 * system.validationFailures.length });
      // The stream itself: nothing retried, nothing set aside.
      expect(system.pump.stats().dispatcher).toMatchObject({ retries: 0, recordsSentToOnFailure: 0 });
      expect(system.unprocessed).toEqual([]);
      expect(system.recorder.record(key).validations).toBe(0);
      expect(await system.state(key)).toMatchObject({ labels: [], metadata: PHARMACY_RECEIPT.metadata });
    },
  );
});
