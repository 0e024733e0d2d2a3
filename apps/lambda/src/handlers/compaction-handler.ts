import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  applyMetadataToSnapshots,
  type Clock,
  COMPACTION_COLLECTIONS,
  type CompactionRunRepository,
  compactRun,
  type EmbeddingDeltaStore,
  type EmbeddingSnapshotStore,
  InvalidValueError,
  type LabelRepository,
  type MerchantRecord,
  ReceiptNotMergedError,
  refreshWordLabelFields,
  type Telemetry,
} from '@receipt-gate/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Item } from '../adapters/dynamodb/attribute-values.js';
import { fromCompactionRunItem } from '../adapters/dynamodb/compaction-run-item.js';
import { receiptOfItem } from '../adapters/dynamodb/keys.js';
import type { MerchantRecordCodec } from '../adapters/dynamodb/merchant-record-codec.js';
import { reportUnreadable } from '../adapters/dynamodb/unreadable-items.js';
import { labelIdentityOf, WORD_LABEL_TYPE } from '../adapters/dynamodb/word-label-item.js';
import { imagesOf } from './stream-images.js';

export interface CompactionHandlerDeps {
  readonly runs: CompactionRunRepository;
  readonly deltas: EmbeddingDeltaStore;
  readonly snapshots: EmbeddingSnapshotStore;
  readonly labels: LabelRepository;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly compactionDelayMs: number;
  /** The item format of the table's merchant records, whose changes the second compaction carries. */
  readonly merchantRecords: MerchantRecordCodec;
  readonly flush: () => Promise<void>;
}

/**
 * Lambda `FilterCriteria` of the compactor's event source mapping: the records it acts on, nothing else. The
 * merchant record is RECEIPT_PLACE, or RECEIPT_METADATA on a table that has not migrated (`merchantRecordType`).
 */
export function compactionFilters(merchantRecordType: string) {
  return [
    { eventName: ['INSERT'], dynamodb: { NewImage: { TYPE: { S: ['COMPACTION_RUN'] } } } },
    { eventName: ['MODIFY'], dynamodb: { NewImage: { TYPE: { S: [merchantRecordType] } } } },
    { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { TYPE: { S: [WORD_LABEL_TYPE] } } } },
  ];
}

/** Raised for a record that must be delivered again (its run is still being compacted). */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/**
 * The compactor, fed by the table's stream, one record at a time in order. Every failure is reported per record
 * (`batchItemFailures`), so the record is retried, never checkpointed and lost. An image that does not fit the
 * format (another service wrote it so) is reported and acknowledged: retrying it could never succeed.
 */
export function createCompactionHandler(deps: CompactionHandlerDeps) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const { telemetry, merchantRecords } = deps;

  /** The record of a merchant image, or undefined (reported) when it cannot be read. */
  const merchantRecordOf = (image: Item): MerchantRecord | undefined => {
    try {
      return merchantRecords.fromItem(image);
    } catch (error) {
      if (!(error instanceof InvalidValueError)) throw error;
      reportUnreadable(telemetry, receiptOfItem(image), merchantRecords.type, image, error);
      return undefined;
    }
  };

  const compact = async (record: DynamoDBRecord) => {
    const { type, newImage, oldImage } = imagesOf(record);
    if (type === 'COMPACTION_RUN' && record.eventName === 'INSERT' && newImage) {
      const run = fromCompactionRunItem(newImage);
      const result = await compactRun({ ...deps, mergeDelayMs: deps.compactionDelayMs }, run);
      for (const collection of COMPACTION_COLLECTIONS) {
        const outcome = result[collection];
        if (outcome.outcome === 'completed' || outcome.outcome === 'failed') {
          telemetry.event({
            type: 'compaction.collection_finished',
            run,
            collection,
            state: outcome.outcome === 'completed' ? 'COMPLETED' : 'FAILED',
            ...(outcome.outcome === 'completed'
              ? { mergedVectors: outcome.mergedVectors }
              : { error: outcome.error }),
          });
        }
      }
      if (result.retry) throw new RetryLaterError(`compaction left unfinished: ${JSON.stringify(result)}`);
      return;
    }
    if (type === merchantRecords.type && record.eventName === 'MODIFY' && newImage) {
      const after = merchantRecordOf(newImage);
      if (!after) return;
      // An old image that cannot be read counts as different in every field.
      const before = oldImage && merchantRecordOf(oldImage);
      const update = await retryLaterWhenNotMerged(after, 'metadata', () =>
        applyMetadataToSnapshots(deps, { before, after }),
      );
      if (update.applied) {
        telemetry.event({
          type: 'compaction.snapshot_patched',
          receipt: after,
          change: 'metadata',
          vectors: update.patched.lines + update.patched.words,
        });
      }
      return;
    }
    if (type === WORD_LABEL_TYPE && newImage) {
      // The word the key names, whatever the label's attributes hold: the refresh reads the word's labels itself.
      let word: ReturnType<typeof labelIdentityOf>;
      try {
        word = labelIdentityOf(newImage);
      } catch (error) {
        if (!(error instanceof InvalidValueError)) throw error;
        reportUnreadable(telemetry, receiptOfItem(newImage), WORD_LABEL_TYPE, newImage, error);
        return;
      }
      // Only this word's labels: its vector's fields depend on nothing else.
      const labels = await deps.labels.getWordLabels(word);
      await retryLaterWhenNotMerged(word, 'labels', () => refreshWordLabelFields(deps, word, labels));
    }
  };

  const retryLaterWhenNotMerged = async <T>(
    receipt: { imageId: string; receiptId: number },
    change: 'metadata' | 'labels',
    apply: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await apply();
    } catch (error) {
      if (error instanceof ReceiptNotMergedError) {
        telemetry.event({ type: 'compaction.retry_later', receipt, change, reason: error.message });
      }
      throw error;
    }
  };

  return async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    try {
      return await processPartialResponse(event, compact, processor, { context, processInParallel: false });
    } finally {
      await deps.flush();
    }
  };
}
