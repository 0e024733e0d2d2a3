import type { Clock } from '../ports/clock.js';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly resolve: () => void;
}

/** Raised by `run` when the awaited work waits on something other than this clock, instead of hanging. */
export class VirtualClockStalledError extends Error {
  override readonly name = 'VirtualClockStalledError';
}

export interface VirtualClockRunOptions {
  /** Virtual time after which `run` gives up (default one day). */
  readonly limitMs?: number;
}

// Enough turns of the microtask queue for any chain of awaits between two timers in our code.
const MICROTASK_TURNS = 200;

async function flushMicrotasks(): Promise<void> {
  for (let turn = 0; turn < MICROTASK_TURNS; turn++) await Promise.resolve();
}

/**
 * A clock whose time moves only when a test says so. Sleeps become timers that `advance` fires in time order;
 * aborted sleeps leave no timer. `run(promise)` drives time until the promise settles and throws
 * VirtualClockStalledError when it is still pending with no timer left to fire.
 */
export class VirtualClock implements Clock {
  #now: number;
  #nextId = 0;
  #timers: Timer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const id = this.#nextId++;
      const onAbort = () => {
        this.#timers = this.#timers.filter((timer) => timer.id !== id);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push({
        id,
        at: this.#now + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      });
    });
  }

  /** Number of sleeps not yet fired nor aborted. */
  pendingTimers(): number {
    return this.#timers.length;
  }

  /** When the earliest pending timer fires, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    return this.#timers.reduce<number | undefined>(
      (min, t) => (min === undefined || t.at < min ? t.at : min),
      undefined,
    );
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in time order (timers set by woken work
   * included), and lets the woken work run before returning.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.advance: expected ms >= 0, got ${ms}`);
    const target = this.#now + ms;
    await flushMicrotasks();
    for (let next = this.nextTimerAt(); next !== undefined && next <= target; next = this.nextTimerAt()) {
      this.#now = next;
      const due = this.#timers.filter((timer) => timer.at === next);
      this.#timers = this.#timers.filter((timer) => timer.at !== next);
      for (const timer of due) timer.resolve();
      await flushMicrotasks();
    }
    this.#now = target;
  }

  /** Advances to each next timer until `work` settles; returns its value or rethrows its error. */
  async run<T>(work: Promise<T>, options: VirtualClockRunOptions = {}): Promise<T> {
    const limit = this.#now + (options.limitMs ?? 86_400_000);
    let settled = false;
    work.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await flushMicrotasks();
    while (!settled) {
      const next = this.nextTimerAt();
      if (next === undefined) {
        throw new VirtualClockStalledError(
          'VirtualClock.run: the awaited work is still pending but no timer is left to fire; it waits on something this clock cannot advance (a promise nobody resolves, or real time)',
        );
      }
      if (next > limit) {
        throw new VirtualClockStalledError(
          `VirtualClock.run: still pending after ${options.limitMs ?? 86_400_000} ms of virtual time`,
        );
      }
      await this.advance(next - this.#now);
    }
    return work;
  }
}
