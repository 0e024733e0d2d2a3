import { COMPACTION_COLLECTIONS, metadataVectorFields, OfflineReceiptAnalyzer } from '@receipt-gate/core';
import { FAST_FOOD_RECEIPT, GAS_STATION_RECEIPT, PHARMACY_RECEIPT } from '@receipt-gate/core/testing';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, e2e, MODES, uploadOf } from './e2e.test-support.js';

const SAMPLES = [GAS_STATION_RECEIPT, PHARMACY_RECEIPT, FAST_FOOD_RECEIPT];
const ANALYZER = new OfflineReceiptAnalyzer().name;

// What the pharmacy receipt prints, where its merchant record names another store: the correction to another
// business, so the old place and what was derived from it are gone.
const PHARMACY_CORRECTION = {
  merchantName: 'CORNERSTONE PHARMACY',
  phoneNumber: '(614) 555-0120',
  address: '415 Elm Street, Suite 2, Columbus, OH 43215',
  placeId: '',
  validationStatus: 'NO_MATCH',
  validatedBy: 'INFERENCE',
  matchedFields: [],
};

describe.concurrent.each(MODES)('%s mode, happy path', (mode) => {
  e2e(
    'labels every receipt only after its compaction completed and carries the metadata correction into both snapshots',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode });
      const results = await Promise.all(SAMPLES.map((sample) => system.upload(uploadOf(sample))));
      await system.settle();

      const keys = results.map((result) => result.run);
      expect(await system.violations(keys)).toEqual([]);
      expect(system.unprocessed).toEqual([]);
      expect(system.telemetry.eventsOf('validation.unguarded_write')).toEqual([]);
      expect(system.telemetry.metricTotal('UnguardedLabelWrites')).toBe(0);

      for (const [i, sample] of SAMPLES.entries()) {
        const { run: key, validation } = results[i] ?? {};
        if (!key) throw new Error(`no result for ${sample.name}`);
        const { run, labels, metadata, vectors } = await system.state(key);
        const record = system.recorder.record(key);
        expect(record.gate?.outcome, sample.name).toBe('completed');
        expect(record.unguarded).toBe(false);
        if (mode === 'inline') {
          expect(validation?.decision).toBe('write_guarded');
          expect(validation?.labels.written).toBe(labels.length);
        } else {
          // The stream started the validation: no inline report.
          expect(validation).toBeUndefined();
        }

        expect(run).toMatchObject({
          linesState: 'COMPLETED',
          wordsState: 'COMPLETED',
          linesMergedVectors: sample.lines.length,
          wordsMergedVectors: sample.words.length,
        });
        const completedAt = Math.max(
          Date.parse(run?.linesFinishedAt ?? ''),
          Date.parse(run?.wordsFinishedAt ?? ''),
        );
        expect(labels.length).toBeGreaterThan(0);
        for (const label of labels) {
          expect(label.validationStatus).toBe('PENDING');
          expect(label.labelProposedBy).toBe(ANALYZER);
          expect(Date.parse(label.timestampAdded)).toBeGreaterThanOrEqual(completedAt);
        }

        expect(vectors.lines).toHaveLength(sample.lines.length);
        expect(vectors.words).toHaveLength(sample.words.length);
        if (sample === PHARMACY_RECEIPT) {
          expect(metadata).toMatchObject(PHARMACY_CORRECTION);
          expect(metadata?.merchantCategory).toBeUndefined();
          expect(Date.parse(metadata?.timestamp ?? '')).toBeGreaterThan(completedAt);
          if (mode === 'inline') expect(validation?.metadata.status).toBe('corrected');
          expect(record.metadataPatches).toBeGreaterThanOrEqual(1);
        } else {
          expect(metadata).toStrictEqual(sample.metadata);
          expect(record.metadataCorrected).toBe(false);
        }
        // Every vector of both snapshots carries the merchant record as it is now (for the pharmacy: the
        // correction, the cleared category and place included).
        const fields = metadataVectorFields(metadata);
        for (const collection of COMPACTION_COLLECTIONS) {
          for (const vector of vectors[collection]) expect(vector.metadata).toMatchObject(fields);
        }
        if (sample === PHARMACY_RECEIPT) {
          expect(fields).toMatchObject({
            merchant_name: PHARMACY_CORRECTION.merchantName,
            phone_number: PHARMACY_CORRECTION.phoneNumber,
            address: PHARMACY_CORRECTION.address,
            merchant_category: '',
            place_id: '',
          });
        }
      }
    },
  );
});
