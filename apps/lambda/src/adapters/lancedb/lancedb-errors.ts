import { TransientStoreError } from '@receipt-gate/core';

/** Another writer committed first: the operation may be tried again over the new version. */
export function isCommitConflict(error: unknown): boolean {
  return (
    error instanceof Error && /commit conflict|conflicts? with (a )?concurrent|retryable/i.test(error.message)
  );
}

// The object store's failures that may pass (S3 throttling, 5xx, timeouts, dropped connections).
const TRANSIENT =
  /timed? ?out|timeout|connection (reset|refused|closed)|broken pipe|slow ?down|too many requests|service unavailable|internal ?error|\b(429|500|502|503|504)\b/i;

/** A transient failure wrapped in TransientStoreError (with the original as cause); any other as it is. */
export function classifyLanceError(operation: string, error: unknown): unknown {
  if (!(error instanceof Error) || !(TRANSIENT.test(error.message) || isCommitConflict(error))) return error;
  return new TransientStoreError(
    `LanceDB ${operation} failed transiently (${error.message.split('\n')[0]})`,
    {
      cause: error,
    },
  );
}
