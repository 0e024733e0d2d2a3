import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type MerchantRecord, parseWordLabel, toTimestamp, wordVectorId } from '@receipt-gate/core';
import { GAS_STATION_RECEIPT } from '@receipt-gate/core/testing';
import { TOKENS, toCompactionRunItem, toReceiptPlaceItem, toWordLabelItem } from '@receipt-gate/lambda';
import { createLambdaContext, LOCAL_REGION, toLambdaAttributeValue } from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, type E2ESystem, e2e, MODES, storedRun, uploadOf } from './e2e.test-support.js';

const SAMPLE = GAS_STATION_RECEIPT;
const RECEIPT = { imageId: SAMPLE.imageId, receiptId: SAMPLE.receiptId };
const NEW_CATEGORY = 'fuel_station';

type Image = Record<string, AttributeValue>;
const keyOf = ({ PK, SK }: Image): Image => ({ ...(PK && { PK }), ...(SK && { SK }) });
const lambdaImage = (item: Image) =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toLambdaAttributeValue(value)]));

/** A record as the compactor's event source mapping delivers it. */
function streamRecord(
  eventName: 'INSERT' | 'MODIFY',
  sequenceNumber: string,
  images: { newImage: Image; oldImage?: Image },
): DynamoDBRecord {
  return {
    eventID: `e2e-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_REGION,
    dynamodb: {
      Keys: lambdaImage(keyOf(images.newImage)),
      NewImage: lambdaImage(images.newImage),
      ...(images.oldImage && { OldImage: lambdaImage(images.oldImage) }),
      SequenceNumber: sequenceNumber,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** Another service changes the merchant category (a field the second compaction carries). */
const changeCategory = async (system: E2ESystem, record: MerchantRecord) => {
  const updated = await system.container.get(TOKENS.MerchantRecordRepository).updateMerchantRecord(record, {
    ...record,
    merchantCategory: NEW_CATEGORY,
    timestamp: toTimestamp(Date.now()),
  });
  if (!updated.applied) throw new Error('the merchant record changed meanwhile');
  return updated.record;
};

const categoriesOf = (vectors: { metadata: Readonly<Record<string, unknown>> }[]) => [
  ...new Set(vectors.map((vector) => vector.metadata.merchant_category)),
];

const context = () =>
  createLambdaContext({
    functionName: 'dispatcher',
    region: LOCAL_REGION,
    accountId: '0',
    timeoutMs: 60_000,
  });

/** Waits until the dispatcher has acknowledged a change of the receipt as deferred. */
async function deferred(system: E2ESystem, change: 'metadata' | 'labels', timeoutMs = 20_000) {
  const giveUpAt = Date.now() + timeoutMs;
  while (!system.telemetry.eventsOf('compaction.changes_deferred').some((event) => event.change === change)) {
    if (Date.now() > giveUpAt) throw new Error(`no ${change} change was deferred within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.concurrent('records that reach the compactor before their receipt is merged', () => {
  e2e(
    'are acknowledged and counted as deferred, never retried, and the merge that follows carries them',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode: 'event' });
      // This test is the event source mapping: it hands the dispatcher its records itself.
      await system.pump.stop();
      const { run: key, before, after, label, records } = await earlyChanges(system);
      const dispatcher = system.container.get(TOKENS.DispatcherHandler);

      // The metadata MODIFY and the label INSERT, before the run INSERT that merges the receipt.
      const early = await dispatcher({ Records: records.slice(0, 2) }, context());
      expect(early.batchItemFailures).toStrictEqual([]);
      expect(system.telemetry.eventsOf('compaction.changes_deferred')).toMatchObject([
        { receipt: RECEIPT, change: 'labels', records: 1, collections: ['words'] },
        { receipt: RECEIPT, change: 'metadata', records: 1, collections: ['lines', 'words'] },
      ]);
      expect(system.telemetry.metricTotal('CompactionChangesDeferred')).toBe(2);
      expect((await system.state(key)).vectors).toEqual({ lines: [], words: [] });

      // The run INSERT, later: the merge builds the vectors from the table as it is now.
      const merge = await dispatcher({ Records: records.slice(2) }, context());
      expect(merge.batchItemFailures).toStrictEqual([]);
      const merged = await system.state(key);
      expect(merged.run).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
      expect(categoriesOf([...merged.vectors.lines, ...merged.vectors.words])).toStrictEqual([
        after.merchantCategory,
      ]);
      expect(labelled(merged, label)).toMatchObject({
        label_status: 'validated',
        valid_labels_array: ['MERCHANT_NAME'],
      });
      expect(before.merchantCategory).not.toBe(after.merchantCategory);

      // Lambda may deliver the whole batch again: nothing changes.
      const again = await dispatcher({ Records: records }, context());
      expect(again.batchItemFailures).toStrictEqual([]);
      expect(await system.state(key)).toStrictEqual(merged);
    },
  );

  e2e(
    'in one batch with the run INSERT, are carried by that merge without a refresh of their own',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode: 'event' });
      await system.pump.stop();
      const { run: key, after, label, records } = await earlyChanges(system);
      const dispatcher = system.container.get(TOKENS.DispatcherHandler);
      const result = await dispatcher({ Records: records }, context());
      expect(result.batchItemFailures).toStrictEqual([]);
      const merged = await system.state(key);
      expect(categoriesOf([...merged.vectors.lines, ...merged.vectors.words])).toStrictEqual([
        after.merchantCategory,
      ]);
      expect(labelled(merged, label)).toMatchObject({ label_status: 'validated' });
      // One merge per collection read the changes; no refresh, nothing deferred.
      expect(system.telemetry.eventsOf('compaction.changes_deferred')).toEqual([]);
      expect(system.telemetry.eventsOf('compaction.snapshot_patched')).toEqual([]);
    },
  );

  e2e(
    'a metadata change made before the upload creates the run is acknowledged, counted, and carried by the merge',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode: 'event' });
      // Another service stores and corrects the metadata before the OCR'd receipt is uploaded: its MODIFY reaches
      // the dispatcher before the run exists, and the delta carries the metadata of the upload.
      await system.container.get(TOKENS.MerchantRecordRepository).addMerchantRecord(SAMPLE.metadata);
      await changeCategory(system, SAMPLE.metadata);
      await deferred(system, 'metadata');
      const { run: key } = await system.upload(uploadOf(SAMPLE));
      await system.settle();

      expect(system.telemetry.metricTotal('CompactionChangesDeferred')).toBeGreaterThanOrEqual(1);
      expect(system.pump.stats().dispatcher?.retries).toBe(0);
      expect(system.unprocessed).toEqual([]);
      const { vectors } = await system.state(key);
      expect(categoriesOf([...vectors.lines, ...vectors.words])).toStrictEqual([NEW_CATEGORY]);
      expect(await system.violations([key])).toEqual([]);
    },
  );
});

describe.concurrent.each(MODES)('%s mode, a metadata change made while the compaction runs', (mode) => {
  e2e(
    'reaches every vector, whether the merge or a refresh carries it, with nothing retried or given up on',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode, compactionDelayMs: 1_000 });
      const uploading = system.upload(uploadOf(SAMPLE));
      const key = await storedRun(system, RECEIPT);
      await changeCategory(system, SAMPLE.metadata);
      const runs = system.container.get(TOKENS.CompactionRunRepository);
      expect((await runs.getCompactionRun(key))?.wordsState).not.toBe('COMPLETED');
      await uploading;
      await system.settle();

      const { metadata, vectors } = await system.state(key);
      expect(metadata?.merchantCategory).toBe(NEW_CATEGORY);
      expect(categoriesOf([...vectors.lines, ...vectors.words])).toStrictEqual([NEW_CATEGORY]);
      expect(system.pump.stats().dispatcher?.retries).toBe(0);
      expect(system.unprocessed).toEqual([]);
      expect(await system.violations([key])).toEqual([]);
    },
  );
});

/**
 * The receipt uploaded with the stream stopped; then, as another service would, its merchant category changed
 * and a label decided by a person: the three records (metadata MODIFY, label INSERT, run INSERT) as the stream
 * would deliver them, the run's last.
 */
async function earlyChanges(system: E2ESystem) {
  const { run } = await system.upload(uploadOf(SAMPLE));
  const stored = await system.container.get(TOKENS.CompactionRunRepository).getCompactionRun(run);
  if (!stored) throw new Error('the upload created no run');
  const before = SAMPLE.metadata;
  const after = await changeCategory(system, before);
  const label = parseWordLabel({
    ...RECEIPT,
    lineId: 1,
    wordId: 1,
    label: 'MERCHANT_NAME',
    reasoning: 'checked by a person',
    timestampAdded: toTimestamp(Date.now()),
    validationStatus: 'VALID',
    labelProposedBy: 'human-review',
  });
  await system.container.get(TOKENS.LabelRepository).saveLabels([label]);
  const records = [
    streamRecord('MODIFY', '100', {
      oldImage: toReceiptPlaceItem(before),
      newImage: toReceiptPlaceItem(after),
    }),
    streamRecord('INSERT', '101', { newImage: toWordLabelItem(label) }),
    streamRecord('INSERT', '102', { newImage: toCompactionRunItem(stored) }),
  ];
  return { run, before, after, label, records };
}

const labelled = (
  state: Awaited<ReturnType<E2ESystem['state']>>,
  label: { lineId: number; wordId: number },
) => state.vectors.words.find((vector) => vector.id === wordVectorId({ ...RECEIPT, ...label }))?.metadata;
