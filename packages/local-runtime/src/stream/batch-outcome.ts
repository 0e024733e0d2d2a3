import type { DynamoDBRecord } from 'aws-lambda';

/** What one invocation settled for a batch: records before `failedFrom` are done; the rest are retried. */
export interface BatchOutcome {
  /** Index of the first record to retry; the batch's length when all succeeded. */
  readonly failedFrom: number;
  /** Why the batch (or its tail) failed; absent on success. */
  readonly error?: unknown;
  /** The function threw or timed out (Lambda's function error): only then is a batch bisected. */
  readonly functionError?: boolean;
}

export const succeeded = (records: readonly DynamoDBRecord[]): BatchOutcome => ({
  failedFrom: records.length,
});

/** The handler threw or ran past its timeout: the whole batch failed. */
export const functionFailed = (error: unknown): BatchOutcome => ({
  failedFrom: 0,
  error,
  functionError: true,
});

const refused = (error: unknown): BatchOutcome => ({ failedFrom: 0, error });

/**
 * Reads a handler's response as Lambda does with `ReportBatchItemFailures`: no response, no list or an empty list
 * is full success; a failure list retries from the record with the lowest sequence number; an empty, missing or
 * unknown `itemIdentifier` fails the whole batch (nothing is dropped on a malformed answer).
 */
export function batchOutcome(records: readonly DynamoDBRecord[], response: unknown): BatchOutcome {
  if (typeof response !== 'object' || response === null) return succeeded(records);
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0))
    return succeeded(records);
  if (!Array.isArray(failures))
    return refused(new TypeError('batchItemFailures is not an array: the whole batch failed'));
  const identifiers = failures.map(
    (failure) => (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier,
  );
  const indexes = identifiers.map((id) =>
    typeof id === 'string' && id !== ''
      ? records.findIndex((record) => record.dynamodb?.SequenceNumber === id)
      : -1,
  );
  if (indexes.includes(-1))
    return refused(
      new Error(
        `batchItemFailures names no record of this batch: ${JSON.stringify(identifiers)}: the whole batch failed`,
      ),
    );
  return {
    failedFrom: Math.min(...indexes),
    error: new Error(`handler reported batch item failures: ${identifiers.join(', ')}`),
  };
}
