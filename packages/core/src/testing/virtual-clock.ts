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
  /**
   * With no timer pending, how many turns of the microtask queue `run` lets the work take to settle or set a timer
   * before it reports a stall (default 10 000). Raise it for work with longer promise chains between two sleeps.
   */
  readonly idleTurns?: number;
}

// Turns of the microtask queue `advance` gives the work woken by a timer before it looks for the next timer.
const MICROTASK_TURNS = 200;
const IDLE_TURNS = 10_000;
const DAY_MS = 86_400_000;

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

  /** Throws a RangeError at once for a NaN `ms`, which would otherwise be a timer that never fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (Number.isNaN(ms)) throw new RangeError('VirtualClock.sleep: expected a number of ms, got NaN');
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

  /**
   * Advances to each next timer until `work` settles; returns its value or rethrows its error. It reports a stall
   * only when no timer is pending and the work stays pending through `idleTurns` turns of the microtask queue, so
   * a long promise chain is not taken for one.
   */
  async run<T>(work: Promise<T>, options: VirtualClockRunOptions = {}): Promise<T> {
    const { limitMs = DAY_MS, idleTurns = IDLE_TURNS } = options;
    if (!(limitMs >= 0)) throw new RangeError(`VirtualClock.run: expected limitMs >= 0, got ${limitMs}`);
    if (!Number.isInteger(idleTurns) || idleTurns < 1) {
      throw new RangeError(`VirtualClock.run: expected idleTurns to be a positive integer, got ${idleTurns}`);
    }
    const limit = this.#now + limitMs;
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
      for (let turn = 0; turn < idleTurns && !settled && this.#timers.length === 0; turn++) {
        await Promise.resolve();
      }
      if (settled) break;
      const next = this.nextTimerAt();
      if (next === undefined) {
        throw new VirtualClockStalledError(
          `VirtualClock.run: the awaited work is still pending but no timer is left to fire after ${idleTurns} idle turns of the microtask queue; it waits on something this clock cannot advance (a promise nobody resolves, or real time)`,
        );
      }
      if (next > limit) {
        throw new VirtualClockStalledError(
          `VirtualClock.run: still pending after ${limitMs} ms of virtual time`,
        );
      }
      await this.advance(next - this.#now);
    }
    return work;
  }
}
