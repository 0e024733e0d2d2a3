import type { Clock } from '@receipt-gate/core';
import type { Context } from 'aws-lambda';

/** The clock time by which the work must be done: the invocation's remaining time less a reserve for the writes. */
export function deadlineFrom(
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  clock: Clock,
  reserveMs: number,
) {
  return clock.now() + Math.max(0, context.getRemainingTimeInMillis() - reserveMs);
}
