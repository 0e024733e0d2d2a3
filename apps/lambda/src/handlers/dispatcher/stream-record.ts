import {
  type CompactionRecord,
  InvalidValueError,
  MERCHANT_SNAPSHOT_FIELDS,
  type MerchantRecord,
  parseReceiptRef,
  type Telemetry,
} from '@receipt-gate/core';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Item } from '../../adapters/dynamodb/attribute-values.js';
import { COMPACTION_RUN_TYPE, fromCompactionRunItem } from '../../adapters/dynamodb/compaction-run-item.js';
import { receiptOfItem } from '../../adapters/dynamodb/keys.js';
import type { MerchantRecordCodec } from '../../adapters/dynamodb/merchant-record-codec.js';
import { reportUnreadable } from '../../adapters/dynamodb/unreadable-items.js';
import { labelIdentityOf, WORD_LABEL_TYPE } from '../../adapters/dynamodb/word-label-item.js';
import { imagesOf } from '../stream-images.js';

export interface RecordReading {
  readonly merchantRecords: MerchantRecordCodec;
  readonly telemetry: Telemetry;
  /** Whether settled runs are handed to the validation (`event` mode). */
  readonly dispatchesValidation: boolean;
}

/** The item's key as logs show it: `PK|SK`. */
export function keyText(record: DynamoDBRecord): string {
  const keys = record.dynamodb?.Keys;
  return `${keys?.PK?.S ?? '?'}|${keys?.SK?.S ?? '?'}`;
}

/**
 * What a stream record asks of the dispatcher. A record that can never be applied — an image that does not fit
 * the format where the dispatcher needs it, an unknown shape — is to be dead-lettered, with the reason. Only the
 * record's receipt matters for a label or merchant change: the vectors are refreshed from the table as it is
 * then, so an unreadable image of such a record is reported and the change applied anyway.
 */
export function compactionRecordOf(record: DynamoDBRecord, reading: RecordReading): CompactionRecord {
  const partitionKey = record.dynamodb?.Keys?.PK?.S ?? `(no partition key) ${record.eventID ?? ''}`;
  const { type, newImage, oldImage } = imagesOf(record);
  const poison = (reason: string): CompactionRecord => ({ partitionKey, deadLetter: reason });
  const event = record.eventName ?? '(no event name)';
  try {
    if (type === COMPACTION_RUN_TYPE && newImage) {
      const run = fromCompactionRunItem(newImage);
      const key = { imageId: run.imageId, receiptId: run.receiptId, runId: run.runId };
      if (event === 'INSERT') return { partitionKey, receipt: run, change: { kind: 'run', run: key } };
      const settled =
        (run.linesState === 'COMPLETED' && run.wordsState === 'COMPLETED') ||
        run.linesState === 'FAILED' ||
        run.wordsState === 'FAILED';
      if (event === 'MODIFY' && settled && reading.dispatchesValidation) {
        return { partitionKey, receipt: run, change: { kind: 'settled', run: key } };
      }
      if (event === 'MODIFY') return { partitionKey, ignore: 'a run MODIFY with nothing to dispatch' };
    }
    if (type === reading.merchantRecords.type && newImage && event === 'MODIFY') {
      const receipt = parseReceiptRef(receiptOfItem(newImage));
      const after = merchantRecordOf(newImage, reading);
      // An image that cannot be read counts as different in every field.
      const before = oldImage && merchantRecordOf(oldImage, reading);
      const carried =
        !after || !before || MERCHANT_SNAPSHOT_FIELDS.some((field) => before[field] !== after[field]);
      return carried
        ? { partitionKey, receipt, change: { kind: 'merchant' } }
        : { partitionKey, ignore: 'no field the vectors carry changed' };
    }
    // A REMOVE has only the old image. A deleted label or merchant record is a change like any other: the vectors
    // lose what it gave them.
    const image = event === 'REMOVE' ? oldImage : newImage;
    if (type === WORD_LABEL_TYPE && image && ['INSERT', 'MODIFY', 'REMOVE'].includes(event)) {
      const { imageId, receiptId } = labelIdentityOf(image);
      return { partitionKey, receipt: { imageId, receiptId }, change: { kind: 'labels' } };
    }
    if (type === reading.merchantRecords.type && oldImage && event === 'REMOVE') {
      return {
        partitionKey,
        receipt: parseReceiptRef(receiptOfItem(oldImage)),
        change: { kind: 'merchant' },
      };
    }
  } catch (error) {
    if (error instanceof InvalidValueError) return poison(`${event} of ${type}: ${error.message}`);
    throw error;
  }
  return poison(
    `${event} of ${type ?? 'an item without TYPE'}${newImage ? '' : ' without a new image'} is not a record the dispatcher handles`,
  );
}

/** The record of a merchant image, or undefined (reported) when it cannot be read. */
function merchantRecordOf(image: Item, reading: RecordReading): MerchantRecord | undefined {
  try {
    return reading.merchantRecords.fromItem(image);
  } catch (error) {
    if (!(error instanceof InvalidValueError)) throw error;
    reportUnreadable(reading.telemetry, receiptOfItem(image), reading.merchantRecords.type, image, error);
    return undefined;
  }
}
