import type { ValidationReport } from '../validation/validation-report.js';
import { GateOutcomeError } from './gate-outcome-error.js';

/**
 * Thrown by the validation when the caller aborted and the outcome policy's `aborted` action is `fail`, at
 * whatever point the abort came. It carries the report of what was done (the abort recorded in it), and it is a
 * GateOutcomeError, as a `fail` on the gate's `aborted` outcome always was.
 */
export class ValidationAbortedError extends GateOutcomeError {
  override readonly name: string = 'ValidationAbortedError';

  constructor(
    readonly report: ValidationReport,
    /** The abort signal's reason. */
    readonly reason: unknown,
  ) {
    super(report.gate);
    const { run, aborted, labels } = report;
    this.message = `validation of ${run.imageId}/${run.receiptId} aborted by the caller ${aborted?.afterMs ?? 0} ms after it started (during ${aborted?.during ?? 'gate'}); ${labels.written} labels written`;
  }
}
