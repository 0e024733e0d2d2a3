import { metadataVectorFields, receiptVectorPrefix } from '@receipt-gate/core';
import { PHARMACY_RECEIPT, SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { toReceiptMetadataItem } from '../adapters/dynamodb/receipt-metadata-item.js';
import { TOKENS } from '../container/tokens.js';
import { type Flow, formatViolations, type Item, startFlow, uploadEvent } from './interop.test-support.js';

// Every item the flow writes, checked against the current format's rules (not against our codecs): uploads of the
// sample receipts, their validation behind the gate, the compaction and the second compaction of the pharmacy's
// merchant correction, on DynamoDB Local.

const TIMEOUT = { timeout: 120_000 };
const typesOf = (items: readonly Item[]) =>
  items.reduce<Record<string, number>>((counts, item) => {
    const type = item.TYPE?.S ?? '?';
    counts[type] = (counts[type] ?? 0) + 1;
    return counts;
  }, {});
const pharmacy = { imageId: PHARMACY_RECEIPT.imageId, receiptId: PHARMACY_RECEIPT.receiptId };
// The pharmacy (whose merchant record is corrected) and four others: every kind of item, in a CI-sized run.
const SAMPLES = [
  PHARMACY_RECEIPT,
  ...SAMPLE_RECEIPTS.filter((sample) => sample !== PHARMACY_RECEIPT).slice(0, 4),
];

let flow: Flow | undefined;
afterEach(async () => {
  await flow?.stop();
  flow = undefined;
});

describe('the current item format, end to end', () => {
  it(
    'writes every item as the format describes: RECEIPT_PLACE (no RECEIPT_METADATA), GSI4, number formats',
    TIMEOUT,
    async () => {
      flow = await startFlow();
      const reports = await Promise.all(SAMPLES.map((sample) => flow?.upload(uploadEvent(sample))));
      await flow.settle();

      const items = await flow.items();
      expect(formatViolations(items)).toEqual([]);
      const counts = typesOf(items);
      expect(counts).toMatchObject({ RECEIPT_PLACE: SAMPLES.length, COMPACTION_RUN: SAMPLES.length });
      expect(counts.RECEIPT_METADATA).toBeUndefined();
      expect(counts.RECEIPT_WORD_LABEL).toBeGreaterThan(0);
      for (const item of items.filter((candidate) => candidate.TYPE?.S !== 'COMPACTION_RUN')) {
        expect(item.GSI4PK?.S, item.SK?.S).toMatch(/^IMAGE#.+#RECEIPT#\d{5}$/);
      }
      expect(flow.unprocessed).toEqual([]);
      expect(reports.every((report) => report?.validation?.gate.outcome === 'completed')).toBe(true);

      // The pharmacy's correction landed in its RECEIPT_PLACE, and the second compaction carried it to the vectors.
      const place = items.find(
        (item) => item.SK?.S === 'RECEIPT#00001#PLACE' && item.PK?.S?.endsWith(pharmacy.imageId),
      );
      expect(place).toMatchObject({
        merchant_name: { S: 'CORNERSTONE PHARMACY' },
        validated_by: { S: 'INFERENCE' },
        GSI1PK: { S: 'MERCHANT#CORNERSTONE_PHARMACY' },
      });
      const record = await flow.container.get(TOKENS.MerchantRecordRepository).getMerchantRecord(pharmacy);
      const vectors = [
        ...(await flow.snapshots.list('lines', receiptVectorPrefix(pharmacy))),
        ...(await flow.snapshots.list('words', receiptVectorPrefix(pharmacy))),
      ];
      expect(vectors.length).toBeGreaterThan(0);
      for (const vector of vectors) expect(vector.metadata).toMatchObject(metadataVectorFields(record));
      expect(
        flow.telemetry
          .eventsOf('compaction.snapshot_patched')
          .filter(({ receipt, change }) => receipt.imageId === pharmacy.imageId && change === 'metadata'),
      ).not.toHaveLength(0);
    },
  );

  it(
    'ignores RECEIPT_METADATA changes unless the table keeps its merchant records there',
    TIMEOUT,
    async () => {
      flow = await startFlow();
      await flow.upload(uploadEvent(PHARMACY_RECEIPT));
      await flow.settle();
      const patches = () => flow?.telemetry.eventsOf('compaction.snapshot_patched').length;
      const before = patches();
      // A legacy item changed by a repair script: the existing stream ignores it, and so does ours.
      const legacy = toReceiptMetadataItem(PHARMACY_RECEIPT.metadata);
      await flow.put(legacy);
      await flow.put({ ...legacy, merchant_category: { S: 'drugstore' } });
      await flow.settle();
      expect(patches()).toBe(before);
      expect(flow.unprocessed).toEqual([]);
    },
  );

  it(
    'with MERCHANT_RECORD=metadata: reads, corrects and follows RECEIPT_METADATA, and writes no RECEIPT_PLACE',
    TIMEOUT,
    async () => {
      flow = await startFlow({ MERCHANT_RECORD: 'metadata' });
      const samples = SAMPLES.slice(0, 2);
      const reports = await Promise.all(samples.map((sample) => flow?.upload(uploadEvent(sample))));
      await flow.settle();

      const items = await flow.items();
      expect(formatViolations(items)).toEqual([]);
      const counts = typesOf(items);
      expect(counts.RECEIPT_METADATA).toBe(samples.length);
      expect(counts.RECEIPT_PLACE).toBeUndefined();
      expect(reports[0]?.validation?.metadata.status).toBe('corrected');
      const record = await flow.container.get(TOKENS.MerchantRecordRepository).getMerchantRecord(pharmacy);
      expect(record).toMatchObject({ merchantName: 'CORNERSTONE PHARMACY', validatedBy: 'INFERENCE' });
      const words = await flow.snapshots.list('words', receiptVectorPrefix(pharmacy));
      for (const vector of words) expect(vector.metadata).toMatchObject(metadataVectorFields(record));
      expect(flow.unprocessed).toEqual([]);
    },
  );
});
