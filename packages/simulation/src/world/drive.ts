import type { VirtualClock } from '@receipt-gate/core/testing';

export type DriveEnd = 'done' | 'stopped' | 'horizon' | 'stalled';

/** Lets every microtask run: a macrotask turn comes only once the microtask queue is empty. */
export function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Moves the virtual clock from timer to timer until `done()` (or `stop()`) holds once everything runnable has run;
 * `horizon` when the next timer lies past `horizonAt`; `stalled` when work is left but no timer could wake it.
 * No real time passes: the run is a pure function of its seed.
 */
export async function drive(
  clock: VirtualClock,
  options: { readonly done: () => boolean; readonly stop: () => boolean; readonly horizonAt: number },
): Promise<DriveEnd> {
  for (;;) {
    await settleMicrotasks();
    if (options.stop()) return 'stopped';
    if (options.done()) return 'done';
    const next = clock.nextTimerAt();
    if (next === undefined) return 'stalled';
    if (next > options.horizonAt) return 'horizon';
    await clock.advance(next - clock.now());
  }
}
