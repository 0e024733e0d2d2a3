import { fnv1a } from '../random/hash.js';

/** One line of a trace: when (virtual ms since the start), which receipt (index) if any, and what happened. */
export interface TraceLine {
  readonly at: number;
  readonly receipt: number | undefined;
  readonly text: string;
}

/**
 * What a run did, in order: uploads, invocations, store calls and their faults, stream deliveries, outside
 * actions, violations. Every line goes into a 64-bit hash (two FNV-1a lanes), so two runs of one seed can be
 * compared by their hash; lines are kept only when asked (a shrunk run prints them, a 10,000-receipt run does not).
 */
export class Trace {
  readonly #start: number;
  readonly #keep: boolean;
  readonly #lines: TraceLine[] = [];
  #a = 0x811c9dc5;
  #b = 0x01000193;
  #count = 0;

  constructor(options: { readonly start: number; readonly keep: boolean }) {
    this.#start = options.start;
    this.#keep = options.keep;
  }

  add(now: number, receipt: number | undefined, text: string): void {
    const at = now - this.#start;
    const line = `${at} ${receipt ?? '-'} ${text}\n`;
    this.#a = fnv1a(line, this.#a);
    this.#b = fnv1a(line, this.#b ^ 0x5bd1e995);
    this.#count++;
    if (this.#keep) this.#lines.push({ at, receipt, text });
  }

  get hash(): string {
    return `${this.#a.toString(16).padStart(8, '0')}${this.#b.toString(16).padStart(8, '0')}`;
  }

  get length(): number {
    return this.#count;
  }

  /** The kept lines (empty unless the trace was made with `keep`). */
  get lines(): readonly TraceLine[] {
    return this.#lines;
  }
}
