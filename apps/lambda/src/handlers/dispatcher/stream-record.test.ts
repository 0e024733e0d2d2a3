import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { NOOP_TELEMETRY, parseCompactionRun, parseWordLabel, toTimestamp } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { compileFilterCriteria, toLambdaAttributeValue } from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toCompactionRunItem } from '../../adapters/dynamodb/compaction-run-item.js';
import { RECEIPT_PLACE_CODEC } from '../../adapters/dynamodb/receipt-place-item.js';
import { toWordLabelItem } from '../../adapters/dynamodb/word-label-item.js';
import { dispatcherFilters } from './dispatcher-filters.js';
import { compactionRecordOf } from './stream-record.js';

type Image = Record<string, AttributeValue>;
const [sample] = SAMPLE_RECEIPTS;
if (!sample) throw new Error('no sample receipt');
const receipt = { imageId: sample.imageId, receiptId: sample.receiptId };
const reading = {
  merchantRecords: RECEIPT_PLACE_CODEC,
  telemetry: NOOP_TELEMETRY,
  dispatchesValidation: true,
};

const lambda = (image: Image) =>
  Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaAttributeValue(value)]));

/** A record as the stream delivers it: a REMOVE has only its old image, an INSERT only its new one. */
function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', images: { newImage?: Image; oldImage?: Image }) {
  const image = (images.newImage ?? images.oldImage) as Image;
  return {
    eventID: '1',
    eventName,
    dynamodb: {
      Keys: lambda({ PK: image.PK as AttributeValue, SK: image.SK as AttributeValue }),
      ...(images.newImage && { NewImage: lambda(images.newImage) }),
      ...(images.oldImage && { OldImage: lambda(images.oldImage) }),
      SequenceNumber: '100',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as DynamoDBRecord;
}

const label = toWordLabelItem(
  parseWordLabel({
    ...receipt,
    lineId: 1,
    wordId: 1,
    label: 'MERCHANT_NAME',
    reasoning: 'a person said so',
    timestampAdded: toTimestamp(Date.UTC(2026, 0, 1)),
    validationStatus: 'VALID',
  }),
);
const place = RECEIPT_PLACE_CODEC.toItem(sample.metadata);
const run = toCompactionRunItem(
  parseCompactionRun({
    ...receipt,
    runId: '0b6e8f0e-3f5e-4c1f-9d1e-2f4a5b6c7d8e',
    linesDeltaPrefix: 'lines/delta/x/',
    wordsDeltaPrefix: 'words/delta/x/',
    linesState: 'PROCESSING',
    wordsState: 'PENDING',
    createdAt: toTimestamp(Date.UTC(2026, 0, 1)),
  }),
);

describe('a stream record the dispatcher reads', () => {
  it("a label deleted: the receipt's label fields are refreshed from the table", () => {
    expect(compactionRecordOf(record('REMOVE', { oldImage: label }), reading)).toEqual({
      partitionKey: label.PK?.S,
      receipt,
      change: { kind: 'labels' },
    });
  });

  it("a merchant record deleted: the receipt's merchant fields are refreshed (to none)", () => {
    expect(compactionRecordOf(record('REMOVE', { oldImage: place }), reading)).toEqual({
      partitionKey: place.PK?.S,
      receipt,
      change: { kind: 'merchant' },
    });
  });

  it('a run MODIFY not settled yet is left alone', () => {
    expect(compactionRecordOf(record('MODIFY', { newImage: run, oldImage: run }), reading)).toMatchObject({
      ignore: expect.any(String),
    });
  });
});

describe("the dispatcher's filters", () => {
  const accepts = (dispatchesValidation: boolean) =>
    compileFilterCriteria(dispatcherFilters(RECEIPT_PLACE_CODEC.type, dispatchesValidation));

  it('pass the deletions of labels and merchant records, not of other items', () => {
    for (const dispatchesValidation of [false, true]) {
      const pass = accepts(dispatchesValidation);
      expect(pass(record('REMOVE', { oldImage: label }))).toBe(true);
      expect(pass(record('REMOVE', { oldImage: place }))).toBe(true);
      expect(pass(record('REMOVE', { oldImage: run }))).toBe(false);
      expect(pass(record('INSERT', { newImage: place }))).toBe(false);
    }
  });

  it('pass every run MODIFY in event mode only, within the five patterns a mapping takes', () => {
    const modify = record('MODIFY', { newImage: run, oldImage: run });
    expect(accepts(true)(modify)).toBe(true);
    expect(accepts(false)(modify)).toBe(false);
    expect(dispatcherFilters(RECEIPT_PLACE_CODEC.type, true).length).toBeLessThanOrEqual(5);
  });
});
