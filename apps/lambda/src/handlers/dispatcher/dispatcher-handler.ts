import {
  type Clock,
  type CompactionRunRepository,
  compactBatch,
  type EmbeddingDeltaStore,
  type EmbeddingSnapshotStore,
  type LabelRepository,
  type MerchantRecordRepository,
  type RecordFailure,
  type Telemetry,
  toTimestamp,
} from '@receipt-gate/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { MerchantRecordCodec } from '../../adapters/dynamodb/merchant-record-codec.js';
import { type DeadLetterStore, deadLetterOf } from './dead-letters.js';
import type { RunCompletionDispatch } from './run-completion-dispatch.js';
import { compactionRecordOf, keyText } from './stream-record.js';

export interface DispatcherHandlerDeps {
  readonly runs: CompactionRunRepository;
  readonly deltas: EmbeddingDeltaStore;
  readonly snapshots: EmbeddingSnapshotStore;
  readonly labels: LabelRepository;
  readonly merchantRecords: MerchantRecordRepository;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly compactionDelayMs: number;
  /** The item format of the table's merchant records, whose changes the vectors follow. */
  readonly merchantRecordCodec: MerchantRecordCodec;
  readonly deadLetters: DeadLetterStore;
  /** In `event` mode, where settled runs go (the validation, invoked asynchronously); absent in `inline` mode. */
  readonly validation?: RunCompletionDispatch;
  /** Partition keys of a batch applied at once. */
  readonly concurrency?: number;
  readonly flush: () => Promise<void>;
}

/**
 * The dispatcher: the one function reading the table's stream for receipt-gate. It runs the compactor on each
 * batch (`compactBatch`: grouped by receipt, coalesced, one merge per run, one refresh per receipt and part, from
 * the table's current state) and, in `event` mode, hands each settled run to the validation asynchronously.
 *
 * Its answer maps exactly onto Lambda's checkpoint. A record that can never be applied is written to the
 * dead-letter store and acknowledged. A transient failure reports, in `batchItemFailures`, the failed segment's
 * records and every later record of the same partition key, none of which this invocation applied; Lambda
 * resumes from the lowest reported sequence number, so every record of that key before it was applied once, and
 * none from it on is applied twice. (Records of other keys after that number are delivered again too, and
 * re-applied idempotently: that is Lambda's checkpoint, not a choice.) Each record not applied is logged once.
 * Everything an invocation needs is created per invocation: concurrent invocations share nothing mutable.
 */
export function createDispatcherHandler(deps: DispatcherHandlerDeps) {
  const { telemetry } = deps;
  return async (event: DynamoDBStreamEvent, _context: Context): Promise<DynamoDBBatchResponse> => {
    try {
      const records = event.Records ?? [];
      const reading = {
        merchantRecords: deps.merchantRecordCodec,
        telemetry,
        dispatchesValidation: deps.validation !== undefined,
      };
      const planned = records.map((record) => compactionRecordOf(record, reading));
      const reasons = new Map<number, string>();
      const validation = deps.validation;
      const result = await compactBatch(
        {
          ...deps,
          mergeDelayMs: deps.compactionDelayMs,
          ...(validation && {
            dispatchSettled: async (run) => {
              await validation.dispatch(run);
              telemetry.metric('ValidationsDispatched', 1, 'Count');
            },
          }),
          deadLetter: async (index, reason) => {
            const record = records[index] as DynamoDBRecord;
            await deps.deadLetters.put([deadLetterOf(record, reason, toTimestamp(deps.clock.now()))]);
            reasons.set(index, reason);
          },
          ...(deps.concurrency !== undefined && { concurrency: deps.concurrency }),
        },
        planned,
      );
      for (const index of result.deadLettered) {
        report(telemetry, records[index] as DynamoDBRecord, 'dead_lettered', reasons.get(index) ?? '');
      }
      if (result.deadLettered.length > 0) {
        telemetry.metric('StreamRecordsDeadLettered', result.deadLettered.length, 'Count');
      }
      for (const failure of result.failures) {
        report(telemetry, records[failure.index] as DynamoDBRecord, 'retried', reasonOf(failure));
      }
      if (result.failures.length > 0)
        telemetry.metric('StreamRecordsRetried', result.failures.length, 'Count');
      return {
        batchItemFailures: result.failures.map(({ index }) => ({
          itemIdentifier: records[index]?.dynamodb?.SequenceNumber ?? '',
        })),
      };
    } finally {
      await deps.flush();
    }
  };
}

function reasonOf(failure: RecordFailure): string {
  const text = failure.error instanceof Error ? failure.error.message : String(failure.error);
  return failure.cause === 'failed'
    ? text
    : `not applied: an earlier record of its partition key failed (${text})`;
}

function report(
  telemetry: Telemetry,
  record: DynamoDBRecord,
  disposition: 'retried' | 'dead_lettered',
  reason: string,
): void {
  telemetry.event({
    type: 'stream.record_failed',
    key: keyText(record),
    eventId: record.eventID ?? '',
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    disposition,
    reason,
  });
}
