/** mulberry32: a tiny seeded PRNG, good enough for simulation; returns numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A seed for an independent stream, derived (FNV-1a) from the base seed and labels, so that what one wait draws
 * does not depend on how many draws other waits or policies made before it.
 */
export function deriveSeed(base: number, ...labels: readonly (string | number)[]): number {
  let hash = 0x811c9dc5;
  for (const char of [base, ...labels].join('/')) {
    hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193);
  }
  return hash >>> 0;
}

/** A whole number of ms drawn uniformly in [minMs, maxMs]. */
export function uniformMs(random: () => number, minMs: number, maxMs: number): number {
  return minMs + Math.floor(random() * (maxMs - minMs + 1));
}
