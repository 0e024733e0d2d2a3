import type { SimRandom } from '../random/sim-random.js';
import type { FaultProfile } from './fault-profile.js';

/** Faults drawn while the run goes: per store call, per invocation, per delivered batch, per throttle window. */
export type RuntimeFaultKind =
  | 'store-transient'
  | 'store-permanent'
  | 'store-ambiguous'
  | 'store-hang'
  | 'store-slow'
  | 'throttle'
  | 'crash'
  | 'redelivery';

/** A fault that took effect. */
export interface InjectedFault {
  readonly id: string;
  readonly kind: string;
  readonly receipt: number | undefined;
  /** Virtual ms since the start of the run. */
  readonly at: number;
}

/** Faults left out of a run, by kind (`crash`) or by id (`r12.crash.0`): how a shrinker removes them. */
export interface FaultFilter {
  readonly disabled: ReadonlySet<string>;
}

export const NO_FILTER: FaultFilter = { disabled: new Set() };

export type StoreFault = 'transient' | 'permanent' | 'ambiguous' | 'hang';

/** What one store call meets: a latency, and maybe a fault. */
export interface StoreCallFate {
  readonly latencyMs: number;
  readonly fault: StoreFault | undefined;
}

/**
 * Draws and books the faults of a run. Draws come from each receipt's own stream (`receipt-<i>/runtime`) and every
 * decision draws the same numbers whether its fault is enabled or not, so leaving one fault out keeps the others'
 * draws as long as the calls happen in the same order. Each fault that takes effect is booked with its id.
 */
export class FaultBook {
  readonly injected: InjectedFault[] = [];
  readonly #root: SimRandom;
  readonly #profile: FaultProfile;
  readonly #filter: FaultFilter;
  readonly #now: () => number;
  readonly #streams = new Map<number | undefined, SimRandom>();
  readonly #counters = new Map<string, number>();

  constructor(options: {
    readonly root: SimRandom;
    readonly profile: FaultProfile;
    readonly filter: FaultFilter;
    /** Virtual ms since the start of the run. */
    readonly now: () => number;
  }) {
    this.#root = options.root;
    this.#profile = options.profile;
    this.#filter = options.filter;
    this.#now = options.now;
  }

  enabled(kind: string, id: string): boolean {
    return !this.#filter.disabled.has(kind) && !this.#filter.disabled.has(id);
  }

  /** Books a fault that takes effect now (planned ones call this when they act). */
  book(kind: string, id: string, receipt: number | undefined): void {
    this.injected.push({ id, kind, receipt, at: this.#now() });
  }

  /** The random stream of a receipt's runtime draws (or of the run's, for draws of no receipt). */
  stream(receipt: number | undefined): SimRandom {
    let stream = this.#streams.get(receipt);
    if (!stream) {
      stream =
        receipt === undefined
          ? this.#root.fork('system').fork('runtime')
          : this.#root.fork(`receipt-${receipt}`).fork('runtime');
      this.#streams.set(receipt, stream);
    }
    return stream;
  }

  /** One draw against `probability`; a hit that is enabled is booked and returned as its id. */
  draw(receipt: number | undefined, kind: RuntimeFaultKind, probability: number): string | undefined {
    const hit = this.stream(receipt).chance(probability);
    if (!hit) return undefined;
    const counterKey = `${receipt}.${kind}`;
    const n = this.#counters.get(counterKey) ?? 0;
    this.#counters.set(counterKey, n + 1);
    const id = `${receipt === undefined ? 'sys' : `r${receipt}`}.${kind}.${n}`;
    if (!this.enabled(kind, id)) return undefined;
    this.book(kind, id, receipt);
    return id;
  }

  /** The fate of one store call: reads may hang until aborted if they take a signal; writes may lose their answer. */
  storeCall(
    receipt: number | undefined,
    call: { readonly write: boolean; readonly signal: boolean },
  ): StoreCallFate {
    const { store, latency } = this.#profile;
    const stream = this.stream(receipt);
    const delayed = stream.chance(latency.chance);
    const usual = stream.int(1, Math.max(1, latency.maxMs));
    const slowMs = stream.int(latency.maxMs, Math.max(latency.maxMs, latency.slowMs));
    const slow = this.draw(receipt, 'store-slow', store.slow) !== undefined;
    const latencyMs = slow ? slowMs : delayed ? usual : 0;
    const transient = this.draw(receipt, 'store-transient', store.transient);
    const permanent = this.draw(receipt, 'store-permanent', store.permanent);
    const ambiguous = call.write ? this.draw(receipt, 'store-ambiguous', store.ambiguousWrite) : undefined;
    const hang = !call.write && call.signal ? this.draw(receipt, 'store-hang', store.hangingRead) : undefined;
    const fault: StoreFault | undefined = permanent
      ? 'permanent'
      : transient
        ? 'transient'
        : hang
          ? 'hang'
          : ambiguous
            ? 'ambiguous'
            : undefined;
    return { latencyMs, fault };
  }

  /** After how many of its writes an invocation's process dies (0: at its first store call), if it does. */
  crashPoint(receipt: number | undefined): number | undefined {
    const stream = this.stream(receipt);
    const afterWrites = stream.int(0, 12);
    return this.draw(receipt, 'crash', this.#profile.crash) === undefined ? undefined : afterWrites;
  }

  redeliver(receipt: number | undefined): boolean {
    return this.draw(receipt, 'redelivery', this.#profile.redelivery) !== undefined;
  }
}

/** Windows of throttling for one system: [start, end) in virtual ms since the run's start. */
export interface ThrottleWindow {
  readonly id: string;
  readonly start: number;
  readonly end: number;
}

/** The throttle windows of a system over `durationMs` of arrivals, from that system's own stream. */
export function throttleWindows(
  root: SimRandom,
  system: string,
  durationMs: number,
  profile: FaultProfile,
): ThrottleWindow[] {
  const random = root.fork(`system-${system}`).fork('throttle');
  const count = Math.round((profile.throttleWindowsPerHour * Math.max(durationMs, 60_000)) / 3_600_000);
  return Array.from({ length: count }, (_, n) => {
    const start = Math.round(random.between(0, durationMs));
    return { id: `${system}.throttle.${n}`, start, end: start + random.int(500, 5_000) };
  });
}
