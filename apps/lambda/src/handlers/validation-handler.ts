import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Clock } from '@receipt-gate/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { fromCompactionRunItem } from '../adapters/dynamodb/compaction-run-item.js';
import { deadlineFrom } from './lambda-deadline.js';
import { imagesOf } from './stream-images.js';
import type { ValidateFn } from './validate-fn.js';

export interface ValidationHandlerDeps {
  readonly validate: ValidateFn;
  readonly clock: Clock;
  readonly reserveMs: number;
  readonly flush: () => Promise<void>;
}

const runType = { TYPE: { S: ['COMPACTION_RUN'] } };

/**
 * `event` mode: the run's MODIFY with both collections COMPLETED, or one FAILED, starts the validation — no
 * polling. These are the event source mapping's `FilterCriteria`; the gate's first read confirms the state.
 */
export const VALIDATION_FILTERS = [
  {
    eventName: ['MODIFY'],
    dynamodb: {
      NewImage: { ...runType, lines_state: { S: ['COMPLETED'] }, words_state: { S: ['COMPLETED'] } },
    },
  },
  { eventName: ['MODIFY'], dynamodb: { NewImage: { ...runType, lines_state: { S: ['FAILED'] } } } },
  { eventName: ['MODIFY'], dynamodb: { NewImage: { ...runType, words_state: { S: ['FAILED'] } } } },
];

/** Validates the receipt of each settled run, in order; a failure (e.g. a `fail` policy) retries that record. */
export function createValidationHandler(deps: ValidationHandlerDeps) {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  return async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> => {
    const validateRecord = async (record: DynamoDBRecord) => {
      const { type, newImage } = imagesOf(record);
      if (type !== 'COMPACTION_RUN' || !newImage) return;
      const run = fromCompactionRunItem(newImage);
      const settled =
        (run.linesState === 'COMPLETED' && run.wordsState === 'COMPLETED') ||
        run.linesState === 'FAILED' ||
        run.wordsState === 'FAILED';
      if (!settled) return;
      const { imageId, receiptId, runId } = run;
      await deps.validate({
        run: { imageId, receiptId, runId },
        deadlineAt: deadlineFrom(context, deps.clock, deps.reserveMs),
      });
    };
    try {
      return await processPartialResponse(event, validateRecord, processor, {
        context,
        processInParallel: false,
      });
    } finally {
      await deps.flush();
    }
  };
}
