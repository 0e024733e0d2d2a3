import { type CompactionRunKey, parseCompactionRunKey } from '@receipt-gate/core';

/**
 * Hands a settled run to the validation asynchronously: resolves once the request is accepted (queued), not once
 * the receipt is validated. The validation has its own retries and on-failure destination.
 */
export interface RunCompletionDispatch {
  dispatch(run: CompactionRunKey): Promise<void>;
}

/** The payload the validation function is invoked with. */
export interface ValidationRequestEvent {
  readonly run: CompactionRunKey;
}

export function validationRequestOf(run: CompactionRunKey): ValidationRequestEvent {
  return { run: { imageId: run.imageId, receiptId: run.receiptId, runId: run.runId } };
}

/** The run of a validation payload; InvalidValueError when it names none. */
export function parseValidationRequest(event: unknown): ValidationRequestEvent {
  const run = (event as { run?: Record<string, unknown> } | null | undefined)?.run ?? {};
  return {
    run: parseCompactionRunKey({ imageId: run.imageId, receiptId: run.receiptId, runId: run.runId }),
  };
}
