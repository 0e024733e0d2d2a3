/** One execution environment of a function: it serves one invocation at a time, and dies with a crash or timeout. */
export interface Environment {
  readonly id: number;
  readonly fn: string;
  dead: boolean;
  current: Invocation | undefined;
  /** Sleeps the handler code has pending on the clock (the simulation's own delays are not counted). */
  readonly pendingTimers: Set<number>;
}

/** One invocation of a handler. */
export interface Invocation {
  readonly id: number;
  readonly fn: string;
  readonly env: Environment;
  readonly startedAt: number;
  /** When the function's timeout kills it. */
  readonly deadline: number;
  /** The receipt whose draws decide its faults (the first record's, the upload's). */
  readonly receipt: number | undefined;
  /** Writes that took effect. */
  writes: number;
  /** Its process dies after this many writes (0: at its first store call). */
  readonly crashAfterWrites: number | undefined;
  /** The last attempt a retry budget allows: its faults are drawn but not injected (see `InvokeOptions`). */
  readonly healed: boolean;
  ended: boolean;
}

export interface InvokeOptions {
  /**
   * Inject no fault into this invocation (no store error, hang, throttling or crash; latencies stay). Liveness
   * is judged the way VOPR judges it, after the faults heal: the last attempt Lambda makes of an asynchronous
   * event runs healed, every earlier one under every fault, so a given-up event means the code cannot get
   * through even then. The faults are still drawn, so the run's other draws do not move.
   */
  readonly healed?: boolean;
}

export type InvocationOutcome =
  | { readonly status: 'returned'; readonly value: unknown }
  | { readonly status: 'threw'; readonly error: unknown }
  | { readonly status: 'timed_out' }
  | { readonly status: 'crashed'; readonly afterWrites: number };

/** A promise that never settles: what a call of a dead process, or a frozen one, waits on. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}
