import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import {
  applyMetadataToSnapshots,
  type Clock,
  COMPACTION_COLLECTIONS,
  type CompactionRunRepository,
  compactRun,
  type EmbeddingDeltaStore,
  type EmbeddingSnapshotStore,
  type LabelRepository,
  ReceiptNotMergedError,
  refreshWordLabelFields,
  type Telemetry,
} from '@receipt-gate/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { fromCompactionRunItem } from '../adapters/dynamodb/compaction-run-item.js';
import { fromReceiptMetadataItem } from '../adapters/dynamodb/receipt-metadata-item.js';
import { fromWordLabelItem } from '../adapters/dynamodb/word-label-item.js';
import { imagesOf } from './stream-images.js';

export interface CompactionHandlerDeps {
  readonly runs: CompactionRunRepository;
  readonly deltas: EmbeddingDeltaStore;
  readonly snapshots: EmbeddingSnapshotStore;
  readonly labels: LabelRepository;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly compactionDelayMs: number;
  readonly flush: () => Promise<void>;
}

/** Lambda `FilterCriteria` of the compactor's event source mapping: the records it acts on, nothing else. */
export const COMPACTION_FILTERS = [
  { eventName: ['INSERT'], dynamodb: { NewImage: { TYPE: { S: ['COMPACTION_RUN'] } } } },
  { eventName: ['MODIFY'], dynamodb: { NewImage: { TYPE: { S: ['RECEIPT_METADATA'] } } } },
  { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { TYPE: { S: ['RECEIPT_WORD_LABEL'] } } } },
];

/** Raised for a record that must be delivered again (its run is still being compacted). */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

/**
 * The compactor, fed by the table's stream, one record at a time in order. Every failure is reported per record
 * (`batchItemFailures`), so the record is retried, never checkpointed and lost.
 */
export function createCompactionHandler(deps: CompactionHandlerDeps) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const { telemetry } = deps;

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
    if (type === 'RECEIPT_METADATA' && record.eventName === 'MODIFY' && newImage && oldImage) {
      const after = fromReceiptMetadataItem(newImage);
      const update = await retryLaterWhenNotMerged(after, 'metadata', () =>
        applyMetadataToSnapshots(deps, { before: fromReceiptMetadataItem(oldImage), after }),
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
    if (type === 'RECEIPT_WORD_LABEL' && newImage) {
      const label = fromWordLabelItem(newImage);
      // Only this word's labels: its vector's fields depend on nothing else.
      const labels = await deps.labels.getWordLabels(label);
      await retryLaterWhenNotMerged(label, 'labels', () => refreshWordLabelFields(deps, label, labels));
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
