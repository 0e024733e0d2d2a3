import { InvalidValueError } from '../errors/invalid-value-error.js';

/** Capped exponential growth of the poll interval, with optional jitter. */
export interface BackoffPolicy {
  /** Each interval is the previous one times this (>= 1). */
  readonly multiplier: number;
  /** No interval exceeds this. */
  readonly maxIntervalMs: number;
  /** Draw each interval uniformly between `pollIntervalMs` and the capped exponential value. */
  readonly jitter: boolean;
}

export interface GatePolicy {
  /** The first interval between reads (every interval without backoff). */
  readonly pollIntervalMs: number;
  /** Deadline after the first read; a caller's `deadlineAt` may only shorten it. */
  readonly maxWaitMs: number;
  /** A run never seen for this long after the first read ends the wait as `not_found`. */
  readonly notFoundGraceMs: number;
  /** Bound on one read; a read past it is abandoned and counted as a transient failure. */
  readonly pollTimeoutMs: number;
  readonly backoff?: BackoffPolicy;
}

/** The seed's wait: a read every 2 s for at most 120 s. */
export const SEED_GATE_POLICY: GatePolicy = {
  pollIntervalMs: 2_000,
  maxWaitMs: 120_000,
  notFoundGraceMs: 10_000,
  pollTimeoutMs: 5_000,
};

export function resolveGatePolicy(overrides: Partial<GatePolicy> = {}): GatePolicy {
  const policy = { ...SEED_GATE_POLICY, ...overrides };
  const positive = (field: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) {
      throw new InvalidValueError(`GatePolicy.${field}`, `expected a positive number of ms, got ${value}`);
    }
  };
  positive('pollIntervalMs', policy.pollIntervalMs);
  positive('maxWaitMs', policy.maxWaitMs);
  positive('pollTimeoutMs', policy.pollTimeoutMs);
  if (!Number.isFinite(policy.notFoundGraceMs) || policy.notFoundGraceMs < 0) {
    throw new InvalidValueError(
      'GatePolicy.notFoundGraceMs',
      `expected >= 0 ms, got ${policy.notFoundGraceMs}`,
    );
  }
  if (policy.backoff) {
    const { multiplier, maxIntervalMs, jitter } = policy.backoff;
    if (!Number.isFinite(multiplier) || multiplier < 1) {
      throw new InvalidValueError(
        'GatePolicy.backoff.multiplier',
        `expected a finite number >= 1, got ${multiplier}`,
      );
    }
    if (!Number.isFinite(maxIntervalMs) || maxIntervalMs < policy.pollIntervalMs) {
      throw new InvalidValueError(
        'GatePolicy.backoff.maxIntervalMs',
        `expected a finite number of ms >= pollIntervalMs (${policy.pollIntervalMs}), got ${maxIntervalMs}`,
      );
    }
    if (typeof jitter !== 'boolean') {
      throw new InvalidValueError(
        'GatePolicy.backoff.jitter',
        `expected true or false, got ${String(jitter)}`,
      );
    }
  }
  return policy;
}

// The largest double below 1: a draw of exactly 1 (or more) is clamped here, keeping draws in [0, 1).
const BELOW_ONE = 1 - 2 ** -53;

/** `value` clamped into [0, 1) (NaN counts as 0). */
function unitInterval(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(Math.max(value, 0), BELOW_ONE);
}

/**
 * The interval before read number `attempt + 1` (attempt 0 is the interval after the first read). `random`
 * should return a number in [0, 1); whatever it returns is clamped into that range, so a jittered interval never
 * leaves [pollIntervalMs, the capped exponential value].
 */
export function pollInterval(policy: GatePolicy, attempt: number, random: () => number): number {
  const { backoff, pollIntervalMs } = policy;
  if (!backoff) return pollIntervalMs;
  const capped = Math.min(backoff.maxIntervalMs, pollIntervalMs * backoff.multiplier ** attempt);
  return backoff.jitter ? pollIntervalMs + unitInterval(random()) * (capped - pollIntervalMs) : capped;
}
