import type { VirtualClock } from '@receipt-gate/core/testing';
import { WakeSignal } from './signal.js';

interface Entry {
  readonly at: number;
  readonly order: number;
  readonly start: () => void;
}

/**
 * What is planned to happen and when (uploads, outside actions), started in time order by one loop, so thousands
 * of planned actions cost one pending timer instead of one each (the virtual clock scans its timers).
 */
export class Agenda {
  readonly #clock: VirtualClock;
  readonly #entries: Entry[] = [];
  readonly #wake = new WakeSignal();
  #order = 0;
  #running = false;

  constructor(clock: VirtualClock) {
    this.#clock = clock;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Plans `start` for clock time `at` (ties start in the order they were planned). */
  plan(at: number, start: () => void): void {
    const entry = { at, order: this.#order++, start };
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const other = this.#entries[mid] as Entry;
      if (other.at < at || (other.at === at && other.order < entry.order)) low = mid + 1;
      else high = mid;
    }
    this.#entries.splice(low, 0, entry);
    this.#wake.notify();
  }

  /** Starts entries as their time comes, for as long as the run lasts (parked while empty). */
  async run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    for (;;) {
      const next = this.#entries[0];
      if (!next) {
        await this.#wake.wait();
        continue;
      }
      const now = this.#clock.now();
      if (next.at > now) {
        await this.#wake.waitAtMost(this.#clock, next.at - now);
        continue;
      }
      this.#entries.shift();
      next.start();
    }
  }
}
