import type { DynamoDBRecord } from 'aws-lambda';

/** Why a batch was given up on, as Lambda names it in the invocation record. */
export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/**
 * The document Lambda sends to a stream event source mapping's on-failure destination (SQS, SNS): where the
 * batch is in the stream, not the records themselves, so they must be read back before the stream trims them.
 */
export interface StreamFailureRecord {
  readonly requestContext: {
    /** The request id of the batch's last invocation. */
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: FailureCondition;
    readonly approximateInvokeCount: number;
  };
  /** The last invocation's outcome; absent when the batch aged out before any invocation. */
  readonly responseContext?: {
    readonly statusCode: number;
    readonly executedVersion: string;
    /** `Unhandled` when the function threw or timed out; absent when it returned (a partial batch failure). */
    readonly functionError?: 'Unhandled';
  };
  readonly version: '1.0';
  /** When the batch was given up on, ISO 8601 with milliseconds. */
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    /** ISO 8601 to the second, from the records' `ApproximateCreationDateTime`. */
    readonly approximateArrivalOfFirstRecord?: string;
    readonly approximateArrivalOfLastRecord?: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

export interface FailedBatch {
  readonly records: readonly DynamoDBRecord[];
  readonly condition: FailureCondition;
  readonly approximateInvokeCount: number;
  readonly lastInvocation?: { readonly requestId: string; readonly functionError: boolean };
  readonly functionArn: string;
  readonly shardId: string;
  readonly streamArn: string;
  readonly at: number;
}

const arrival = (record: DynamoDBRecord | undefined) => {
  const seconds = record?.dynamodb?.ApproximateCreationDateTime;
  return seconds === undefined ? undefined : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
};

/** The invocation record for a batch given up on (its records in stream order). */
export function streamFailureRecord(batch: FailedBatch): StreamFailureRecord {
  const first = batch.records[0];
  const last = batch.records.at(-1);
  return {
    requestContext: {
      requestId: batch.lastInvocation?.requestId ?? crypto.randomUUID(),
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.approximateInvokeCount,
    },
    ...(batch.lastInvocation && {
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(batch.lastInvocation.functionError && { functionError: 'Unhandled' as const }),
      },
    }),
    version: '1.0',
    timestamp: new Date(batch.at).toISOString(),
    DDBStreamBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first?.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: last?.dynamodb?.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: batch.records.length,
      streamArn: batch.streamArn,
    },
  };
}
