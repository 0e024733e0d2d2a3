import type { VirtualClock } from '@receipt-gate/core/testing';

/** The reason a wait's timer is cancelled with (a shared value: no DOMException per abort). */
const WOKEN = Symbol('woken');

/** Wakes every loop waiting on it; a wait without a timeout sets no timer, so idle loops cost the clock nothing. */
export class WakeSignal {
  #waiters: (() => void)[] = [];

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The next notify, or `ms` of the clock, whichever comes first; the timer goes either way. */
  async waitAtMost(clock: VirtualClock, ms: number): Promise<void> {
    if (!(ms > 0)) return;
    const stop = new AbortController();
    await Promise.race([this.wait(), clock.sleep(ms, stop.signal).catch(() => {})]);
    stop.abort(WOKEN);
  }
}
