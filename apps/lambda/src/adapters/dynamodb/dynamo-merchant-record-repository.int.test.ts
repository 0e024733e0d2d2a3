import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { correctMerchantRecord, parseMerchantRecord } from '@receipt-gate/core';
import {
  legacyMetadataFields,
  merchantRecordRepositoryContract,
  RecordingTelemetry,
} from '@receipt-gate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable, localClient } from '../../../test/dynamodb.js';
import type { Item } from './attribute-values.js';
import { DynamoMerchantRecordRepository } from './dynamo-merchant-record-repository.js';
import { RECEIPT_METADATA_CODEC } from './receipt-metadata-item.js';
import { RECEIPT_PLACE_CODEC, toReceiptPlaceItem } from './receipt-place-item.js';

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});
afterAll(() => table.drop());

merchantRecordRepositoryContract(
  { describe, it, expect },
  'DynamoMerchantRecordRepository (RECEIPT_PLACE)',
  async () => ({ merchants: new DynamoMerchantRecordRepository({ ...table, codec: RECEIPT_PLACE_CODEC }) }),
  { idSeed: Date.now() },
);

merchantRecordRepositoryContract(
  { describe, it, expect },
  'DynamoMerchantRecordRepository (RECEIPT_METADATA)',
  async () => ({
    merchants: new DynamoMerchantRecordRepository({ ...table, codec: RECEIPT_METADATA_CODEC }),
    keeps: legacyMetadataFields,
  }),
  { idSeed: Date.now() + 1 },
);

describe('DynamoMerchantRecordRepository on DynamoDB Local', () => {
  const imageId = 'c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f';
  const at = '2026-08-21T10:00:00.000Z';
  const context = { at, reasoning: 'the receipt prints another store' };
  const record = (receiptId: number) =>
    parseMerchantRecord({
      imageId,
      receiptId,
      placeId: 'ChIJ-old-place',
      merchantName: 'Maple Drug Co',
      validationStatus: 'UNSURE',
      confidence: 0.61,
      timestamp: '2026-08-20T09:15:00-07:00',
      validatedBy: 'NEARBY_LOOKUP',
      matchedFields: ['name'],
      merchantCategory: 'pharmacy',
      merchantTypes: ['pharmacy', 'store'],
      address: '88 Maple Ave',
      phoneNumber: '(614) 555-0177',
      latitude: 39.96,
      longitude: -83,
      hoursData: { weekday_text: 'Mon-Fri 8-9' },
    });
  const raw = async (key: Item) =>
    (
      await table.client.send(
        new GetItemCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }),
      )
    ).Item;
  const put = (item: Item) =>
    table.client.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
  const repository = (telemetry = new RecordingTelemetry()) =>
    new DynamoMerchantRecordRepository({ ...table, codec: RECEIPT_PLACE_CODEC, telemetry });

  it('corrects a legacy-shaped item in place: attributes it does not own or change stay exactly as they were', async () => {
    const read = record(1);
    const stored: Item = {
      ...toReceiptPlaceItem(read),
      matched_fields: { SS: ['name'] },
      hours_data: { S: '{"weekday_text": "Mon-Fri 8-9"}' },
      geohash: { S: 'dphgk' },
      confidence: { N: '0.610' },
    };
    await put(stored);
    const merchants = repository();
    expect(await merchants.getMerchantRecord(read)).toEqual(read);

    const corrected = correctMerchantRecord(read, { phoneNumber: '(614) 555-0120' }, context);
    expect(await merchants.updateMerchantRecord(read, corrected)).toEqual({
      applied: true,
      record: corrected,
    });
    expect(await raw(RECEIPT_PLACE_CODEC.key(read))).toEqual({
      ...stored,
      phone_number: { S: '(614) 555-0120' },
      validated_by: { S: 'INFERENCE' },
      reasoning: { S: context.reasoning },
      timestamp: { S: at },
      confidence: { N: '0.61' },
    });
  });

  it('refuses the update when the item changed between its last read and the write (the condition)', async () => {
    const read = record(2);
    await put(toReceiptPlaceItem(read));
    const client = localClient();
    // Another service writes the item again (a whole-item Put with one more attribute) just before our UpdateItem.
    client.middlewareStack.add(
      (next, middlewareContext) => async (args) => {
        if (middlewareContext.commandName === 'UpdateItemCommand') {
          await put({ ...toReceiptPlaceItem(read), plus_code: { S: '86HJX2Q6+2C' } });
        }
        return next(args);
      },
      { step: 'initialize', name: 'concurrentWriter' },
    );
    const merchants = new DynamoMerchantRecordRepository({
      client,
      tableName: table.tableName,
      codec: RECEIPT_PLACE_CODEC,
    });
    const corrected = correctMerchantRecord(read, { merchantName: 'Cornerstone Pharmacy' }, context);
    const result = await merchants.updateMerchantRecord(read, corrected);
    client.destroy();
    expect(result).toEqual({ applied: false, current: { ...read, plusCode: '86HJX2Q6+2C' } });
    expect((await raw(RECEIPT_PLACE_CODEC.key(read)))?.merchant_name).toEqual({ S: 'Maple Drug Co' });
  });

  it('reports an unreadable item, reads it as absent, and never writes it', async () => {
    const read = record(3);
    const unreadable: Item = { ...toReceiptPlaceItem(read), validated_by: { S: 'MANUAL' } };
    await put(unreadable);
    const telemetry = new RecordingTelemetry();
    const merchants = repository(telemetry);
    expect(await merchants.getMerchantRecord(read)).toBeUndefined();
    expect(await merchants.addMerchantRecord(read)).toBe(false);
    const corrected = correctMerchantRecord(read, { phoneNumber: '(614) 555-0120' }, context);
    expect(await merchants.updateMerchantRecord(read, corrected)).toEqual({
      applied: false,
      current: undefined,
    });
    expect(await raw(RECEIPT_PLACE_CODEC.key(read))).toEqual(unreadable);
    // Reported by each read: the get, and the update's read before it would write.
    const reported = {
      receipt: { imageId, receiptId: 3 },
      entity: 'RECEIPT_PLACE',
      key: `IMAGE#${imageId}|RECEIPT#00003#PLACE`,
      error: expect.stringContaining('RECEIPT_PLACE.validated_by'),
    };
    expect(telemetry.eventsOf('store.item_unreadable')).toMatchObject([reported, reported]);
    expect(telemetry.metricTotal('UnreadableItems')).toBe(2);
  });

  it('sets a corrected merchant name on the receipt summary when there is one, and creates none', async () => {
    const withSummary = record(4);
    const summaryKey = { PK: { S: `IMAGE#${imageId}` }, SK: { S: 'RECEIPT#00004#SUMMARY' } };
    const summary: Item = {
      ...summaryKey,
      TYPE: { S: 'RECEIPT_SUMMARY' },
      merchant_name: { S: 'Maple Drug Co' },
    };
    await put(summary);
    const merchants = repository();
    for (const read of [withSummary, record(5)]) {
      await merchants.addMerchantRecord(read);
      const corrected = correctMerchantRecord(read, { merchantName: 'Cornerstone Pharmacy' }, context);
      expect((await merchants.updateMerchantRecord(read, corrected)).applied).toBe(true);
    }
    expect(await raw(summaryKey)).toEqual({ ...summary, merchant_name: { S: 'Cornerstone Pharmacy' } });
    expect(await raw({ ...summaryKey, SK: { S: 'RECEIPT#00005#SUMMARY' } })).toBeUndefined();
  });
});
