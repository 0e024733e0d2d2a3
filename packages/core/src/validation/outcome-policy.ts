import { InvalidValueError } from '../errors/invalid-value-error.js';

/** What the validation does with its labels and metadata correction when the gate did not end `completed`. */
export type OutcomeAction =
  /** Write anyway, unguarded (the seed's choice on timeout), logged as a warning and counted. */
  | 'proceed'
  /** Write nothing and report it. */
  | 'skip'
  /** Write nothing and throw GateOutcomeError, so the invocation is retried. */
  | 'fail';

export interface OutcomePolicy {
  /** Writing after a FAILED compaction would lose the writes in the snapshots: never proceed. */
  readonly failed: Exclude<OutcomeAction, 'proceed'>;
  readonly timed_out: OutcomeAction;
  readonly not_found: OutcomeAction;
  /** The caller gave up (e.g. the invocation is out of time): never write. */
  readonly aborted: Exclude<OutcomeAction, 'proceed'>;
}

/** The design's defaults: nothing on FAILED, the seed's "proceed anyway" on timeout and on a missing run. */
export const DEFAULT_OUTCOME_POLICY: OutcomePolicy = {
  failed: 'skip',
  timed_out: 'proceed',
  not_found: 'proceed',
  aborted: 'skip',
};

export function resolveOutcomePolicy(overrides: Partial<OutcomePolicy> = {}): OutcomePolicy {
  const policy = { ...DEFAULT_OUTCOME_POLICY, ...overrides };
  for (const [outcome, action] of Object.entries(policy)) {
    const allowed =
      outcome === 'failed' || outcome === 'aborted' ? ['skip', 'fail'] : ['proceed', 'skip', 'fail'];
    if (!allowed.includes(action)) {
      throw new InvalidValueError(
        `OutcomePolicy.${outcome}`,
        `expected one of ${allowed.join(' | ')}, got ${action}`,
      );
    }
  }
  return policy;
}
