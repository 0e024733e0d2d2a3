export type * from './abort-signal.js';
/** The only source of time for the domain. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Resolves after `ms`. On abort it rejects with the signal's reason, at once, and leaves no timer behind;
   * an already-aborted signal rejects without starting a timer.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
