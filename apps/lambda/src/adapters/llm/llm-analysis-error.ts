import type { StepOutcome } from './analysis-state.js';

/** Every model step of an analysis failed: there is nothing to propose, and the configured fallback applies. */
export class LlmAnalysisError extends Error {
  override readonly name = 'LlmAnalysisError';

  constructor(readonly steps: readonly StepOutcome[]) {
    super(`every LLM step failed: ${steps.map((s) => `${s.step}: ${s.error ?? 'failed'}`).join('; ')}`);
  }
}
