import { type AttributeValue, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { wordVectorId } from '@receipt-gate/core';
import { COFFEE_SHOP_RECEIPT } from '@receipt-gate/core/testing';
import { toReceiptPlaceItem } from '@receipt-gate/lambda';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, type E2ESystem, e2e, MODES, uploadOf } from './e2e.test-support.js';

const SAMPLE = COFFEE_SHOP_RECEIPT;
const ID = SAMPLE.imageId;
const WORD_SK = 'RECEIPT#00001#LINE#00001#WORD#00001';
const OFFSET_TIMESTAMP = '2026-08-20T09:15:00-07:00';

/**
 * A label outside the vocabulary, decided by a person at a `-07:00` timestamp, as the existing services store it:
 * no `label` attribute, the name in the key only.
 */
const legacyLabel: Record<string, AttributeValue> = {
  PK: { S: `IMAGE#${ID}` },
  SK: { S: `${WORD_SK}#LABEL#BUSINESS_NAME` },
  TYPE: { S: 'RECEIPT_WORD_LABEL' },
  GSI1PK: { S: 'LABEL#BUSINESS_NAME'.padEnd(40, '_') },
  GSI1SK: { S: `IMAGE#${ID}#${WORD_SK}` },
  GSI2PK: { S: 'RECEIPT' },
  GSI2SK: { S: `IMAGE#${ID}#${WORD_SK}` },
  GSI3PK: { S: 'VALIDATION_STATUS#VALID' },
  GSI3SK: { S: `IMAGE#${ID}#${WORD_SK}#LABEL#BUSINESS_NAME` },
  GSI4PK: { S: `IMAGE#${ID}#RECEIPT#00001` },
  GSI4SK: { S: '4_LABEL#00001#00001#BUSINESS_NAME' },
  reasoning: { S: 'the store name in the header' },
  timestamp_added: { S: OFFSET_TIMESTAMP },
  validation_status: { S: 'VALID' },
  label_proposed_by: { S: 'human-review' },
  label_consolidated_from: { NULL: true },
};

const put = (system: E2ESystem, item: Record<string, AttributeValue>) =>
  system.client.send(new PutItemCommand({ TableName: system.tableName, Item: item }));

describe.concurrent.each(MODES)(
  '%s mode, a receipt holding a legacy label and a -07:00 timestamp',
  (mode) => {
    e2e('validates, and every compactor record of it succeeds', E2E_TIMEOUT, async ({ start }) => {
      const system = await start({ mode });
      // The receipt's merchant record and a label, written by the existing services before our upload.
      await put(system, toReceiptPlaceItem({ ...SAMPLE.metadata, timestamp: OFFSET_TIMESTAMP }));
      await put(system, legacyLabel);
      const { run: key } = await system.upload(uploadOf(SAMPLE));
      await system.settle();

      const record = system.recorder.record(key);
      expect(record.gate?.outcome).toBe('completed');
      expect(record.validations).toBe(1);
      expect(record.labelsWritten).toBeGreaterThan(0);
      expect(await system.violations([key])).toEqual([]);
      // Every record was applied in the end: none given up on, nothing unreadable.
      expect(system.unprocessed).toEqual([]);
      expect(system.telemetry.eventsOf('store.item_unreadable')).toEqual([]);

      const { labels, metadata, vectors } = await system.state(key);
      expect(labels).toContainEqual(
        expect.objectContaining({
          label: 'BUSINESS_NAME',
          timestampAdded: OFFSET_TIMESTAMP,
          validationStatus: 'VALID',
        }),
      );
      expect(metadata?.timestamp).toBe(OFFSET_TIMESTAMP);
      // The legacy label's record reached its word's vector, beside the label the validation proposed.
      const word = { imageId: ID, receiptId: 1, lineId: 1, wordId: 1 };
      const vector = vectors.words.find((candidate) => candidate.id === wordVectorId(word));
      expect(vector?.metadata).toMatchObject({
        label_status: 'validated',
        valid_labels_array: ['BUSINESS_NAME'],
      });
      // And the label itself is as it was written.
      const { Item: stored } = await system.client.send(
        new GetItemCommand({
          TableName: system.tableName,
          Key: { PK: legacyLabel.PK ?? { S: '' }, SK: legacyLabel.SK ?? { S: '' } },
          ConsistentRead: true,
        }),
      );
      expect(stored).toEqual(legacyLabel);
    });
  },
);
