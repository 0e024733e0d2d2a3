import { mulberry32 } from '@receipt-gate/core/testing';
import { avalanche, fnv1a } from './hash.js';

/**
 * The simulation's one source of randomness: a seeded generator (mulberry32) that can be split. `fork(label)`
 * derives an independent stream from this one's seed and the label without drawing from it, so every receipt
 * gets the same draws whatever else a run holds: removing receipts while shrinking leaves the others' uploads,
 * actors and faults as they were.
 */
export class SimRandom {
  readonly seed: number;
  readonly #next: () => number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#next = mulberry32(this.seed);
  }

  /** A draw in [0, 1). */
  next(): number {
    return this.#next();
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** A number from `min` (included) to `max` (excluded). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('SimRandom.pick: no items');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A version-4 UUID made of draws (image ids must be UUIDs). */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16));
    hex[12] = '4';
    hex[16] = (8 + this.int(0, 3)).toString(16);
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }

  /** An independent stream named `label`, derived from this one's seed (this stream is not drawn from). */
  fork(label: string | number): SimRandom {
    return new SimRandom(avalanche(fnv1a(String(label), avalanche(this.seed))));
  }
}
