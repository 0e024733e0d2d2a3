import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  InvalidValueError,
  newCompactionRun,
  parseMerchantRecord,
  parseReceiptLine,
  parseReceiptWord,
  parseWordLabel,
} from '@receipt-gate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../../../test/dynamodb.js';
import type { Item } from './attribute-values.js';
import { DynamoCompactionRunRepository } from './dynamo-compaction-run-repository.js';
import { DynamoLabelRepository } from './dynamo-label-repository.js';
import { DynamoMerchantRecordRepository } from './dynamo-merchant-record-repository.js';
import { DynamoReceiptRepository } from './dynamo-receipt-repository.js';
import { RECEIPT_METADATA_CODEC } from './receipt-metadata-item.js';
import { RECEIPT_PLACE_CODEC } from './receipt-place-item.js';

// The exact items the adapters write (field by field, AttributeValue types included), and items written as the
// Python services write them read through the adapters: the two must share one table.

const IMAGE = '0b6f3e2a-1c4d-4e5f-9a7b-8c9d0e1f2a3b';
const RUN = '4d5e6f7a-8b9c-4d0e-a1f2-a3b4c5d6e7f8';
const AT = '2026-11-29T12:00:00.000Z';
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});
afterAll(() => table.drop());

async function raw(pk: string, sk: string): Promise<Item | undefined> {
  const { Item: item } = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: { PK: { S: pk }, SK: { S: sk } },
      ConsistentRead: true,
    }),
  );
  return item;
}

async function putRaw(item: Item): Promise<void> {
  await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
}

const n = (value: string) => ({ N: value });
const point = (x: string, y: string) => ({ M: { x: n(x), y: n(y) } });
const geometry = {
  boundingBox: { x: 0.1, y: 0.8, width: 0.3, height: 0.02 },
  topLeft: { x: 0.1, y: 0.82 },
  topRight: { x: 0.4, y: 0.82 },
  bottomLeft: { x: 0.1, y: 0.8 },
  bottomRight: { x: 0.4, y: 0.8 },
  angleDegrees: -1.5,
  angleRadians: -0.0261799,
  confidence: 0.97,
};
const geometryAttributes = {
  bounding_box: { M: { x: n('0.1'), y: n('0.8'), width: n('0.3'), height: n('0.02') } },
  top_left: point('0.1', '0.82'),
  top_right: point('0.4', '0.82'),
  bottom_left: point('0.1', '0.8'),
  bottom_right: point('0.4', '0.8'),
  angle_degrees: n('-1.5'),
  angle_radians: n('-0.0261799'),
  confidence: n('0.97'),
};

describe('items as written by the adapters', () => {
  it('COMPACTION_RUN: keys, GSI1, TYPE, ids, states, NULL for what is not set, counts as N', async () => {
    const runs = new DynamoCompactionRunRepository(table);
    const key = { imageId: IMAGE, receiptId: 1, runId: RUN };
    await runs.createCompactionRun(
      newCompactionRun({
        ...key,
        linesDeltaPrefix: 'deltas/lines/',
        wordsDeltaPrefix: 'deltas/words/',
        createdAt: AT,
      }),
    );
    const pk = `IMAGE#${IMAGE}`;
    const sk = `RECEIPT#00001#COMPACTION_RUN#${RUN}`;
    const created = {
      PK: { S: pk },
      SK: { S: sk },
      GSI1PK: { S: 'RUNS' },
      GSI1SK: { S: `CREATED_AT#${AT}` },
      TYPE: { S: 'COMPACTION_RUN' },
      run_id: { S: RUN },
      image_id: { S: IMAGE },
      receipt_id: { N: '1' },
      lines_delta_prefix: { S: 'deltas/lines/' },
      words_delta_prefix: { S: 'deltas/words/' },
      lines_state: { S: 'PENDING' },
      words_state: { S: 'PENDING' },
      lines_started_at: { NULL: true },
      lines_finished_at: { NULL: true },
      words_started_at: { NULL: true },
      words_finished_at: { NULL: true },
      lines_error: { NULL: true },
      words_error: { NULL: true },
      lines_merged_vectors: { N: '0' },
      words_merged_vectors: { N: '0' },
      created_at: { S: AT },
      updated_at: { NULL: true },
    };
    expect(await raw(pk, sk)).toEqual(created);

    const started = '2026-11-29T12:00:05.000Z';
    const failed = '2026-11-29T12:00:09.000Z';
    await runs.transitionCollection(key, 'words', { to: 'PROCESSING', at: started });
    await runs.transitionCollection(key, 'words', { to: 'FAILED', at: failed, error: 'lock lost' });
    const item = await raw(pk, sk);
    expect(item).toEqual({
      ...created,
      words_state: { S: 'FAILED' },
      words_started_at: { S: started },
      words_finished_at: { S: failed },
      words_error: { S: 'lock lost' },
      updated_at: { S: failed },
    });
    for (const attribute of ['created_at', 'words_started_at', 'words_finished_at', 'updated_at'])
      expect(item?.[attribute]?.S).toMatch(ISO_Z);

    await runs.transitionCollection(key, 'words', { to: 'PROCESSING', at: AT });
    expect(await raw(pk, sk)).toMatchObject({
      words_finished_at: { NULL: true },
      words_error: { NULL: true },
    });
  });

  it('RECEIPT_LINE and RECEIPT_WORD: keys, GSI1-4, TYPE, geometry maps, numbers as N, flags as BOOL', async () => {
    const receipt = { imageId: IMAGE, receiptId: 2 };
    const line = parseReceiptLine({ ...receipt, lineId: 12, text: 'TOTAL 4.50', ...geometry });
    const word = parseReceiptWord({
      ...receipt,
      lineId: 12,
      wordId: 3,
      text: '4.50',
      ...geometry,
      embeddingStatus: 'SUCCESS',
      isNoise: true,
      extractedData: { type: 'price', value: '4.50' },
    });
    const plainWord = parseReceiptWord({ ...receipt, lineId: 12, wordId: 4, text: 'USD', ...geometry });
    await new DynamoReceiptRepository(table).saveReceiptContent({ lines: [line], words: [word, plainWord] });

    const pk = `IMAGE#${IMAGE}`;
    expect(await raw(pk, 'RECEIPT#00002#LINE#00012')).toEqual({
      PK: { S: pk },
      SK: { S: 'RECEIPT#00002#LINE#00012' },
      GSI1PK: { S: 'EMBEDDING_STATUS#NONE' },
      GSI1SK: { S: `LINE#IMAGE#${IMAGE}#RECEIPT#00002#LINE#00012` },
      GSI3PK: { S: `IMAGE#${IMAGE}#RECEIPT#00002` },
      GSI3SK: { S: 'LINE' },
      GSI4PK: { S: `IMAGE#${IMAGE}#RECEIPT#00002` },
      GSI4SK: { S: '2_LINE#00012' },
      TYPE: { S: 'RECEIPT_LINE' },
      text: { S: 'TOTAL 4.50' },
      ...geometryAttributes,
      embedding_status: { S: 'NONE' },
      is_noise: { BOOL: false },
    });
    const wordSk = 'RECEIPT#00002#LINE#00012#WORD#00003';
    expect(await raw(pk, wordSk)).toEqual({
      PK: { S: pk },
      SK: { S: wordSk },
      GSI1PK: { S: 'EMBEDDING_STATUS#SUCCESS' },
      GSI1SK: { S: `WORD#IMAGE#${IMAGE}#${wordSk}` },
      GSI2PK: { S: 'RECEIPT' },
      GSI2SK: { S: `IMAGE#${IMAGE}#${wordSk}` },
      GSI3PK: { S: `IMAGE#${IMAGE}#RECEIPT#00002` },
      GSI3SK: { S: 'WORD' },
      GSI4PK: { S: `IMAGE#${IMAGE}#RECEIPT#00002` },
      GSI4SK: { S: '3_WORD#00012#00003' },
      TYPE: { S: 'RECEIPT_WORD' },
      text: { S: '4.50' },
      ...geometryAttributes,
      embedding_status: { S: 'SUCCESS' },
      is_noise: { BOOL: true },
      extracted_data: { M: { type: { S: 'price' }, value: { S: '4.50' } } },
    });
    expect((await raw(pk, 'RECEIPT#00002#LINE#00012#WORD#00004'))?.extracted_data).toEqual({ NULL: true });
  });

  it('RECEIPT_WORD_LABEL: keys, GSI1PK padded to 40, GSI2, GSI3 by status, GSI4, no label attribute', async () => {
    const label = parseWordLabel({
      imageId: IMAGE,
      receiptId: 1,
      lineId: 12,
      wordId: 3,
      label: 'TAX',
      timestampAdded: AT,
      validationStatus: 'PENDING',
      labelProposedBy: 'local-analyzer',
    });
    await new DynamoLabelRepository(table).saveLabels([label]);
    const pk = `IMAGE#${IMAGE}`;
    const sk = 'RECEIPT#00001#LINE#00012#WORD#00003#LABEL#TAX';
    const item = await raw(pk, sk);
    expect(item).toEqual({
      PK: { S: pk },
      SK: { S: sk },
      GSI1PK: { S: 'LABEL#TAX_______________________________' },
      GSI1SK: { S: `IMAGE#${IMAGE}#RECEIPT#00001#LINE#00012#WORD#00003` },
      GSI2PK: { S: 'RECEIPT' },
      GSI2SK: { S: `IMAGE#${IMAGE}#RECEIPT#00001#LINE#00012#WORD#00003` },
      GSI3PK: { S: 'VALIDATION_STATUS#PENDING' },
      GSI3SK: { S: `IMAGE#${IMAGE}#${sk}` },
      GSI4PK: { S: `IMAGE#${IMAGE}#RECEIPT#00001` },
      GSI4SK: { S: '4_LABEL#00012#00003#TAX' },
      TYPE: { S: 'RECEIPT_WORD_LABEL' },
      reasoning: { NULL: true },
      timestamp_added: { S: AT },
      validation_status: { S: 'PENDING' },
      label_proposed_by: { S: 'local-analyzer' },
      label_consolidated_from: { NULL: true },
    });
    expect(item?.GSI1PK?.S).toHaveLength(40);
  });

  it('RECEIPT_PLACE: GSI1 by slug, GSI2 by place, GSI3 by confidence and status, GSI4, lists as L', async () => {
    const merchants = new DynamoMerchantRecordRepository({ ...table, codec: RECEIPT_PLACE_CODEC });
    const record = parseMerchantRecord({
      imageId: IMAGE,
      receiptId: 3,
      placeId: 'ChIJ-place',
      merchantName: 'Blue Bottle',
      validationStatus: 'MATCHED',
      confidence: 0.9,
      matchedFields: ['name', 'phone'],
      timestamp: AT,
      merchantCategory: 'cafe',
      phoneNumber: '+1 555 0100',
      validatedBy: 'PHONE_LOOKUP',
      latitude: 37.7749,
    });
    expect(await merchants.addMerchantRecord(record)).toBe(true);
    const pk = `IMAGE#${IMAGE}`;
    const gsiSk = `IMAGE#${IMAGE}#RECEIPT#00003#PLACE`;
    const nulls = [
      'reasoning',
      'formatted_address',
      'short_address',
      'phone_intl',
      'website',
      'maps_url',
      'business_status',
      'plus_code',
      'places_api_version',
    ];
    expect(await raw(pk, 'RECEIPT#00003#PLACE')).toEqual({
      PK: { S: pk },
      SK: { S: 'RECEIPT#00003#PLACE' },
      GSI1PK: { S: 'MERCHANT#BLUE_BOTTLE' },
      GSI1SK: { S: gsiSk },
      GSI2PK: { S: 'PLACE#ChIJ-place' },
      GSI2SK: { S: gsiSk },
      GSI3PK: { S: 'PLACE_VALIDATION' },
      GSI3SK: { S: `CONFIDENCE#0.9000#STATUS#MATCHED#IMAGE#${IMAGE}` },
      GSI4PK: { S: `IMAGE#${IMAGE}#RECEIPT#00003` },
      GSI4SK: { S: '1_PLACE' },
      TYPE: { S: 'RECEIPT_PLACE' },
      image_id: { S: IMAGE },
      receipt_id: { N: '3' },
      place_id: { S: 'ChIJ-place' },
      merchant_name: { S: 'Blue Bottle' },
      validation_status: { S: 'MATCHED' },
      confidence: { N: '0.9' },
      timestamp: { S: AT },
      validated_by: { S: 'PHONE_LOOKUP' },
      matched_fields: { L: [{ S: 'name' }, { S: 'phone' }] },
      merchant_category: { S: 'cafe' },
      phone_number: { S: '+1 555 0100' },
      latitude: { N: '37.7749' },
      ...Object.fromEntries(nulls.map((name) => [name, { NULL: true }])),
    });
    expect(await merchants.getMerchantRecord(record)).toEqual(record);
    // Created only once: a second add leaves the item as it is.
    expect(await merchants.addMerchantRecord({ ...record, merchantName: 'Other' })).toBe(false);
  });

  it('RECEIPT_METADATA (MERCHANT_RECORD=metadata): the legacy format, with no GSI2 or GSI3 when unknown', async () => {
    const merchants = new DynamoMerchantRecordRepository({ ...table, codec: RECEIPT_METADATA_CODEC });
    const bare = parseMerchantRecord({
      imageId: IMAGE,
      receiptId: 4,
      placeId: '',
      merchantName: 'Corner Shop',
      timestamp: AT,
    });
    await merchants.addMerchantRecord(bare);
    const item = await raw(`IMAGE#${IMAGE}`, 'RECEIPT#00004#METADATA');
    expect(
      Object.keys(item ?? {})
        .filter((name) => /^GSI/.test(name))
        .sort(),
    ).toEqual(['GSI1PK', 'GSI1SK']);
    expect(item).toMatchObject({
      TYPE: { S: 'RECEIPT_METADATA' },
      GSI1PK: { S: 'MERCHANT#CORNER_SHOP' },
      place_id: { S: '' },
      validation_status: { NULL: true },
    });
    expect(item).not.toHaveProperty('matched_fields');
    expect(await merchants.getMerchantRecord(bare)).toEqual(bare);
    expect(await raw(`IMAGE#${IMAGE}`, 'RECEIPT#00004#PLACE')).toBeUndefined();
  });
});

describe('items as the Python services write them, read through the adapters', () => {
  const image = '5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
  const pk = `IMAGE#${image}`;

  it('reads a run with +00:00 timestamps and NULL or missing states as PENDING, and moves it along', async () => {
    const key = { imageId: image, receiptId: 1, runId: RUN };
    const item: Item = {
      PK: { S: pk },
      SK: { S: `RECEIPT#00001#COMPACTION_RUN#${RUN}` },
      GSI1PK: { S: 'RUNS' },
      GSI1SK: { S: 'CREATED_AT#2026-11-29T12:00:00.123456+00:00' },
      TYPE: { S: 'COMPACTION_RUN' },
      run_id: { S: RUN },
      image_id: { S: image },
      receipt_id: { N: '1' },
      lines_delta_prefix: { S: 'deltas/lines/' },
      words_delta_prefix: { S: 'deltas/words/' },
      lines_state: { NULL: true },
      lines_started_at: { NULL: true },
      words_started_at: { S: '2026-11-29T12:00:01.5+00:00' },
      lines_error: { NULL: true },
      words_error: { NULL: true },
      created_at: { S: '2026-11-29T12:00:00.123456+00:00' },
      updated_at: { NULL: true },
    };
    await putRaw(item);
    const runs = new DynamoCompactionRunRepository(table);
    expect(await runs.getCompactionRun(key)).toEqual({
      ...key,
      linesDeltaPrefix: 'deltas/lines/',
      wordsDeltaPrefix: 'deltas/words/',
      linesState: 'PENDING',
      wordsState: 'PENDING',
      wordsStartedAt: '2026-11-29T12:00:01.5+00:00',
      linesMergedVectors: 0,
      wordsMergedVectors: 0,
      createdAt: '2026-11-29T12:00:00.123456+00:00',
    });
    // NULL (lines) and missing (words) both count as PENDING for a transition's condition.
    for (const collection of ['lines', 'words'] as const) {
      const result = await runs.transitionCollection(key, collection, { to: 'PROCESSING', at: AT });
      expect(result.applied).toBe(true);
    }
    expect(await runs.transitionCollection(key, 'lines', { to: 'PROCESSING', at: AT })).toEqual({
      applied: false,
      current: 'PROCESSING',
    });
  });

  it('reads labels without a label attribute and with a NULL status as NONE, and never overwrites them', async () => {
    const receipt = { imageId: image, receiptId: 1 };
    const sk = 'RECEIPT#00001#LINE#00002#WORD#00001#LABEL#DATE';
    const item: Item = {
      PK: { S: pk },
      SK: { S: sk },
      TYPE: { S: 'RECEIPT_WORD_LABEL' },
      reasoning: { S: 'looks like a date' },
      timestamp_added: { S: '2026-11-29T12:00:00.654321+00:00' },
      validation_status: { NULL: true },
      label_proposed_by: { NULL: true },
      label_consolidated_from: { NULL: true },
    };
    await putRaw(item);
    // Another receipt's label, and receipt 10's, whose keys share a prefix but for the padding.
    await putRaw({ ...item, SK: { S: sk.replace('RECEIPT#00001', 'RECEIPT#00010') } });
    const labels = new DynamoLabelRepository(table);
    const read = {
      ...receipt,
      lineId: 2,
      wordId: 1,
      label: 'DATE',
      reasoning: 'looks like a date',
      timestampAdded: '2026-11-29T12:00:00.654321+00:00',
      validationStatus: 'NONE',
    };
    expect(await labels.getLabels(receipt)).toEqual([read]);
    const proposal = parseWordLabel({ ...read, validationStatus: 'PENDING', timestampAdded: AT });
    expect(await labels.saveLabels([proposal])).toEqual({
      written: [],
      alreadyPresent: [proposal],
      frozen: [],
    });
    expect(await raw(pk, sk)).toEqual(item);
  });

  it('reads a word without embedding_status or is_noise, with long decimals and extra attributes', async () => {
    const sk = 'RECEIPT#00001#LINE#00002#WORD#00001';
    await putRaw({
      PK: { S: pk },
      SK: { S: sk },
      TYPE: { S: 'RECEIPT_WORD' },
      text: { S: '11/29/2026' },
      ...geometryAttributes,
      bounding_box: {
        M: { x: n('0.10000000000000000555'), y: n('0.8'), width: n('0.3'), height: n('0.02') },
      },
      extracted_data: { M: { type: { S: 'date' }, value: { S: '2026-11-29' } } },
      histogram: { M: { '1': n('0.3') } },
      num_chars: n('10'),
    });
    const { words } = await new DynamoReceiptRepository(table).getReceiptContent({
      imageId: image,
      receiptId: 1,
    });
    expect(words).toEqual([
      {
        imageId: image,
        receiptId: 1,
        lineId: 2,
        wordId: 1,
        text: '11/29/2026',
        ...geometry,
        embeddingStatus: 'NONE',
        isNoise: false,
        extractedData: { type: 'date', value: '2026-11-29' },
      },
    ]);
  });

  it('refuses an item that does not fit the data model, naming the field', async () => {
    const runId = '6f7a8b9c-0d1e-4f2a-b3c4-d5e6f7a8b9c0';
    await putRaw({
      PK: { S: pk },
      SK: { S: `RECEIPT#00002#COMPACTION_RUN#${runId}` },
      TYPE: { S: 'COMPACTION_RUN' },
      lines_delta_prefix: { S: 'l/' },
      words_delta_prefix: { S: 'w/' },
      lines_state: { S: 'DONE' },
      created_at: { S: AT },
    });
    const read = new DynamoCompactionRunRepository(table).getCompactionRun({
      imageId: image,
      receiptId: 2,
      runId,
    });
    await expect(read).rejects.toThrow(InvalidValueError);
    await expect(read).rejects.toMatchObject({ field: 'lines_state' });
  });
});
