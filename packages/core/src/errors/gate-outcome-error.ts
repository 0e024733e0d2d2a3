import type { GateResult } from '../ports/compaction-gate.js';

/** Thrown by the validation when the outcome policy says `fail` for the gate's outcome, so the invocation is retried. */
export class GateOutcomeError extends Error {
  override readonly name: string = 'GateOutcomeError';

  constructor(readonly result: GateResult) {
    super(`compaction gate ended ${result.outcome} after ${result.waitedMs} ms and ${result.polls} reads`);
  }
}
