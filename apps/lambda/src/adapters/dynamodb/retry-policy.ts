import type { Clock } from '@receipt-gate/core';

/** How often, and how patiently, the items a batch call left unprocessed are sent again. */
export interface RetryPolicy {
  /** Calls in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2_000 };

/** Capped exponential backoff before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

/** A retry policy with the clock its waits are made on. */
export interface BatchRetry {
  readonly clock: Clock;
  readonly policy: RetryPolicy;
}
