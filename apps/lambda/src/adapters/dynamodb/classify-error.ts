import { TransientStoreError } from '@receipt-gate/core';

// Error names DynamoDB (or the SDK) gives failures that may succeed when tried again.
const TRANSIENT_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  // A conflict with a concurrent transaction on the same item, or the same transaction still in flight.
  'TransactionConflictException',
  'TransactionInProgressException',
  'TimeoutError',
]);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']);

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

/**
 * Whether a failure of a DynamoDB call may succeed if tried again: throttling, 5xx, network errors and
 * timeouts, including an abort whose reason is a timeout. A caller's own abort is not transient.
 */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message, cause, $retryable, $metadata } = error as ErrorShape;
  if (name === 'AbortError') return (cause as ErrorShape | undefined)?.name === 'TimeoutError';
  const status = $metadata?.httpStatusCode;
  return (
    Boolean($retryable) ||
    (typeof name === 'string' && TRANSIENT_NAMES.has(name)) ||
    (typeof status === 'number' && status >= 500) ||
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    (typeof message === 'string' && /socket hang up/i.test(message))
  );
}

/** A transient failure wrapped in TransientStoreError (with the original as cause); any other as it is. */
export function classifyError(operation: string, error: unknown): unknown {
  if (!isTransientError(error)) return error;
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new TransientStoreError(`DynamoDB ${operation} failed transiently (${reason})`, { cause: error });
}

/** Runs one DynamoDB call, classifying its failure. */
export async function classified<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyError(operation, error);
  }
}
