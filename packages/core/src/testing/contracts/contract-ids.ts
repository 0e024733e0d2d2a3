/** Fresh, valid ids for one contract suite, so several suites can share one table without colliding. */
export interface ContractIds {
  /** A UUID of version 4, different on every call. */
  uuid(): string;
}

/**
 * Deterministic (a failing run can be replayed) but spread over the whole id space: mulberry32 seeded by a hash
 * of the suite's scope and seed. No crypto, so core stays pure.
 */
export function contractIds(scope: string, seed = 0): ContractIds {
  let state = fnv1a(`${scope}#${seed}`);
  const next32 = (): string => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0).toString(16).padStart(8, '0');
  };
  return {
    uuid() {
      const hex = next32() + next32() + next32() + next32();
      const variant = '89ab'[Number.parseInt(hex.charAt(16), 16) & 3];
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
    },
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
