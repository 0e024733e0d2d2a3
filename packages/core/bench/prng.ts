import { fnv1a32 } from '../src/compaction/fnv1a.js';

/**
 * A seed for an independent stream, derived (FNV-1a) from the base seed and labels, so that what one wait draws
 * does not depend on how many draws other waits or policies made before it.
 */
export function deriveSeed(base: number, ...labels: readonly (string | number)[]): number {
  return fnv1a32([base, ...labels].join('/'));
}

/** A whole number of ms drawn uniformly in [minMs, maxMs]. */
export function uniformMs(random: () => number, minMs: number, maxMs: number): number {
  return minMs + Math.floor(random() * (maxMs - minMs + 1));
}
