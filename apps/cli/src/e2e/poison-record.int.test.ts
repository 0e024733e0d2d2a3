import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type EmbeddingSnapshotStore,
  parseWordLabel,
  receiptVectorPrefix,
  TransientStoreError,
} from '@receipt-gate/core';
import { COFFEE_SHOP_RECEIPT, GROCERY_RECEIPT } from '@receipt-gate/core/testing';
import { TOKENS, toCompactionRunItem, toWordLabelItem } from '@receipt-gate/lambda';
import { createLambdaContext, LOCAL_REGION, toLambdaAttributeValue } from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, type E2ESystem, e2e, MODES, uploadOf } from './e2e.test-support.js';

type Image = Record<string, AttributeValue>;
const lambdaImage = (item: Image) =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toLambdaAttributeValue(value)]));

function streamRecord(eventName: 'INSERT' | 'MODIFY', sequenceNumber: string, item: Image): DynamoDBRecord {
  return {
    eventID: `poison-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_REGION,
    dynamodb: {
      Keys: lambdaImage({ PK: item.PK ?? { S: '' }, SK: item.SK ?? { S: '' } }),
      NewImage: lambdaImage(item),
      SequenceNumber: sequenceNumber,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const context = () =>
  createLambdaContext({
    functionName: 'dispatcher',
    region: LOCAL_REGION,
    accountId: '0',
    timeoutMs: 60_000,
  });

/** A label of the receipt's first word, as a person would add it, and its stream record. */
function labelRecord(sample: typeof GROCERY_RECEIPT, name: string, sequenceNumber: string) {
  const label = parseWordLabel({
    imageId: sample.imageId,
    receiptId: sample.receiptId,
    lineId: 1,
    wordId: 1,
    label: name,
    reasoning: 'checked by a person',
    timestampAdded: '2026-01-01T00:00:00.000Z',
    validationStatus: 'VALID',
    labelProposedBy: 'human-review',
  });
  const item = toWordLabelItem(label);
  return { label, item, record: streamRecord('INSERT', sequenceNumber, item) };
}

/** Receipts (by image id) whose label refreshes landed, in order, from the telemetry. */
const refreshed = (system: E2ESystem) =>
  system.telemetry
    .eventsOf('compaction.snapshot_patched')
    .filter(({ change }) => change === 'labels')
    .map(({ receipt }) => receipt.imageId);

describe.concurrent.each(MODES)('%s mode, a batch with a poisoned record', (mode) => {
  e2e(
    'dead-letters it and applies every other record once; a transient failure reports exactly its partition key from it on',
    E2E_TIMEOUT,
    async ({ start }) => {
      // A refresh of the coffee shop's vectors fails once, as a throttled store would.
      let failNextCoffeeRefresh = false;
      const system = await start({
        mode,
        wrapSnapshots: (store): EmbeddingSnapshotStore => ({
          merge: (collection, vectors) => store.merge(collection, vectors),
          patch: (collection, patches) => store.patch(collection, patches),
          list: (collection, prefix) => store.list(collection, prefix),
          refresh: async (collection, prefix, fieldsOf) => {
            if (failNextCoffeeRefresh && prefix === receiptVectorPrefix(COFFEE_SHOP_RECEIPT)) {
              failNextCoffeeRefresh = false;
              throw new TransientStoreError('injected: the snapshot store throttled');
            }
            return store.refresh(collection, prefix, fieldsOf);
          },
        }),
      });
      // Both receipts merged, then the stream is ours to deliver.
      const grocery = await system.upload(uploadOf(GROCERY_RECEIPT));
      const coffee = await system.upload(uploadOf(COFFEE_SHOP_RECEIPT));
      await system.settle();
      await system.pump.stop();
      const dispatcher = system.container.get(TOKENS.DispatcherHandler);
      const labels = system.container.get(TOKENS.LabelRepository);
      const before = refreshed(system).length;

      // 1. A permanent poison: dead-lettered with its reason, acknowledged; the rest applied once each.
      const g1 = labelRecord(GROCERY_RECEIPT, 'GRAND_TOTAL', '1001');
      const g2 = labelRecord(GROCERY_RECEIPT, 'SUBTOTAL', '1004');
      const c1 = labelRecord(COFFEE_SHOP_RECEIPT, 'GRAND_TOTAL', '1003');
      await labels.saveLabels([g1.label, g2.label, c1.label]);
      const poison = streamRecord('INSERT', '1002', {
        ...g1.item,
        SK: { S: 'RECEIPT#00001#LINE#00001#WORD#oops#LABEL#GRAND_TOTAL' },
      });
      const first = await dispatcher({ Records: [g1.record, poison, c1.record, g2.record] }, context());
      expect(first.batchItemFailures).toStrictEqual([]);
      expect(system.deadLetters).toMatchObject([
        {
          eventId: 'poison-1002',
          sequenceNumber: '1002',
          reason: expect.stringContaining('RECEIPT_WORD_LABEL.SK'),
        },
      ]);
      expect(system.telemetry.eventsOf('stream.record_failed')).toMatchObject([
        { eventId: 'poison-1002', disposition: 'dead_lettered' },
      ]);
      // The grocery's records before and after the poison each applied once; the coffee shop's once.
      expect(refreshed(system).slice(before).sort()).toEqual(
        [GROCERY_RECEIPT.imageId, GROCERY_RECEIPT.imageId, COFFEE_SHOP_RECEIPT.imageId].sort(),
      );

      // 2. A transient failure of the coffee shop's segment: it and every later record of its partition key are
      // reported, none of them applied; the grocery's records on either side are applied.
      const applied = refreshed(system).length;
      const c2 = labelRecord(COFFEE_SHOP_RECEIPT, 'TAX', '2002');
      const c3 = labelRecord(COFFEE_SHOP_RECEIPT, 'TIP', '2004');
      const g3 = labelRecord(GROCERY_RECEIPT, 'TAX', '2001');
      const g4 = labelRecord(GROCERY_RECEIPT, 'TIP', '2003');
      const run = await system.container.get(TOKENS.CompactionRunRepository).getCompactionRun(coffee.run);
      if (!run) throw new Error('the coffee shop has no run');
      // The coffee shop's run INSERT again, later in its key: skipped, then a no-op on redelivery.
      const c4 = streamRecord('INSERT', '2005', toCompactionRunItem(run));
      await labels.saveLabels([c2.label, c3.label, g3.label, g4.label]);
      const batch = [g3.record, c2.record, g4.record, c3.record, c4];
      failNextCoffeeRefresh = true;
      const second = await dispatcher({ Records: batch }, context());
      expect(second.batchItemFailures).toStrictEqual([
        { itemIdentifier: '2002' },
        { itemIdentifier: '2004' },
        { itemIdentifier: '2005' },
      ]);
      // The grocery's two records are one segment of their key: one refresh.
      expect(refreshed(system).slice(applied)).toEqual([GROCERY_RECEIPT.imageId]);
      const failed = system.telemetry
        .eventsOf('stream.record_failed')
        .filter(({ disposition }) => disposition === 'retried');
      expect(failed.map(({ sequenceNumber }) => sequenceNumber)).toEqual(['2002', '2004', '2005']);

      // Lambda resumes at the lowest reported sequence number: every coffee shop record is applied once, and the
      // grocery's record after it (another key) again, harmlessly.
      const resumed = await dispatcher({ Records: batch.slice(1) }, context());
      expect(resumed.batchItemFailures).toStrictEqual([]);
      const coffeeRefreshes = refreshed(system)
        .slice(applied)
        .filter((imageId) => imageId === COFFEE_SHOP_RECEIPT.imageId);
      // c2 and c3 are one segment (c4, the run, merges nothing new): one refresh.
      expect(coffeeRefreshes).toHaveLength(1);
      // Nothing else set aside, every change in every vector.
      expect(await system.violations([grocery.run, coffee.run])).toEqual([
        '1 stream records were dead-lettered',
      ]);
      const state = await system.state(coffee.run);
      expect(
        state.vectors.words.find((vector) => vector.id.endsWith('LINE#00001#WORD#00001'))?.metadata,
      ).toMatchObject({
        valid_labels_array: expect.arrayContaining(['TAX', 'TIP', 'GRAND_TOTAL']),
      });
    },
  );
});
