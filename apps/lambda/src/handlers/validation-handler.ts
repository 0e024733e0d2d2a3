import type { Clock, CompactionRunKey, GateOutcome } from '@receipt-gate/core';
import type { Context } from 'aws-lambda';
import { parseValidationRequest } from './dispatcher/run-completion-dispatch.js';
import { deadlineFrom } from './lambda-deadline.js';
import type { ValidateFn } from './validate-fn.js';

export interface ValidationHandlerDeps {
  readonly validate: ValidateFn;
  readonly clock: Clock;
  readonly reserveMs: number;
  readonly flush: () => Promise<void>;
}

/** What an invocation of the validation returns (Lambda keeps it as the async invocation's response). */
export interface ValidationResult {
  readonly run: CompactionRunKey;
  readonly outcome: GateOutcome;
  readonly labelsWritten: number;
}

/**
 * `event` mode: validates the receipt of one settled run, invoked asynchronously by the dispatcher with
 * `{ run: { imageId, receiptId, runId } }`; the gate's first read confirms the state. A failure (a `fail` outcome
 * policy, a transient error, a payload that names no run) throws, so Lambda retries the invocation and, in the
 * end, sends it to the on-failure destination. Validating a receipt twice leaves the same items.
 */
export function createValidationHandler(deps: ValidationHandlerDeps) {
  return async (event: unknown, context: Context): Promise<ValidationResult> => {
    try {
      const { run } = parseValidationRequest(event);
      const report = await deps.validate({
        run,
        deadlineAt: deadlineFrom(context, deps.clock, deps.reserveMs),
      });
      return { run, outcome: report.gate.outcome, labelsWritten: report.labels.written };
    } finally {
      await deps.flush();
    }
  };
}
