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

describe.concurrent('records that reach the compactor before their receipt is merged', () => {
  e2e(
    'are reported as batch item failures, not dropped, and applied when delivered again after the merge',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode: 'event' });
      // This test is the event source mapping: it hands the compactor its records itself.
      await system.pump.stop();
      const { run: key } = await system.upload(uploadOf(SAMPLE));
      const run = await system.container.get(TOKENS.CompactionRunRepository).getCompactionRun(key);
      if (!run) throw new Error('the upload created no run');
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

      // The metadata MODIFY and the label INSERT come before the run INSERT that merges the receipt.
      const event = {
        Records: [
          streamRecord('MODIFY', '100', {
            oldImage: toReceiptPlaceItem(before),
            newImage: toReceiptPlaceItem(after),
          }),
          streamRecord('INSERT', '101', { newImage: toWordLabelItem(label) }),
          streamRecord('INSERT', '102', { newImage: toCompactionRunItem(run) }),
        ],
      };
      const compactor = system.container.get(TOKENS.CompactionHandler);
      const invoke = () =>
        compactor(
          structuredClone(event),
          createLambdaContext({
            functionName: 'compaction',
            region: LOCAL_REGION,
            accountId: '0',
            timeoutMs: 60_000,
          }),
        );

      const first = await invoke();
      expect(first.batchItemFailures).toStrictEqual([{ itemIdentifier: '100' }, { itemIdentifier: '101' }]);
      expect(system.telemetry.eventsOf('compaction.retry_later')).toMatchObject([
        { receipt: RECEIPT, change: 'metadata' },
        { receipt: RECEIPT, change: 'labels' },
      ]);
      // The run INSERT merged the receipt, without the two changes it refused.
      const merged = await system.state(key);
      expect(merged.run).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
      expect(categoriesOf([...merged.vectors.lines, ...merged.vectors.words])).toStrictEqual([
        before.merchantCategory,
      ]);
      const labelled = (state: typeof merged) =>
        state.vectors.words.find((vector) => vector.id === wordVectorId(label))?.metadata;
      expect(labelled(merged)).toMatchObject({ label_status: 'unvalidated', valid_labels_array: [] });

      // Lambda delivers the batch again from the first failed record.
      const second = await invoke();
      expect(second.batchItemFailures).toStrictEqual([]);
      const applied = await system.state(key);
      expect(categoriesOf([...applied.vectors.lines, ...applied.vectors.words])).toStrictEqual([
        NEW_CATEGORY,
      ]);
      expect(labelled(applied)).toMatchObject({
        label_status: 'validated',
        valid_labels_array: ['MERCHANT_NAME'],
      });
      // The run INSERT delivered again changed nothing.
      expect(applied.run).toStrictEqual(merged.run);
    },
  );

  e2e(
    'a metadata change made before the upload creates the run is retried until the merge and then reaches every vector',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode: 'event' });
      // Another service stores and corrects the metadata while the OCR'd receipt is being uploaded: its MODIFY
      // precedes the run INSERT in the stream, and the delta carries the metadata of the upload.
      await system.container.get(TOKENS.MerchantRecordRepository).addMerchantRecord(SAMPLE.metadata);
      await changeCategory(system, SAMPLE.metadata);
      const { run: key } = await system.upload(uploadOf(SAMPLE));
      await system.settle();

      expect(
        system.telemetry.eventsOf('compaction.retry_later').filter(({ change }) => change === 'metadata'),
      ).not.toHaveLength(0);
      expect(system.unprocessed).toEqual([]);
      const { vectors } = await system.state(key);
      expect(categoriesOf([...vectors.lines, ...vectors.words])).toStrictEqual([NEW_CATEGORY]);
      expect(await system.violations([key])).toEqual([]);
    },
  );
});

describe.concurrent.each(MODES)('%s mode, a metadata change made while the compaction runs', (mode) => {
  e2e(
    'waits in the stream behind the run INSERT and reaches every vector once the delta is merged',
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
      // In-order delivery: the patch came after both merges, with nothing refused or given up on.
      const types = system.telemetry.events.map((event) => event.type);
      expect(types.indexOf('compaction.snapshot_patched')).toBeGreaterThan(
        types.lastIndexOf('compaction.collection_finished'),
      );
      expect(system.telemetry.eventsOf('compaction.retry_later')).toEqual([]);
      expect(system.unprocessed).toEqual([]);
      expect(await system.violations([key])).toEqual([]);
    },
  );
});
