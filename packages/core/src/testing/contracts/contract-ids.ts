import { fnv1a32 } from '../../compaction/fnv1a.js';
import { mulberry32 } from '../mulberry32.js';

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
  const random = mulberry32(fnv1a32(`${scope}#${seed}`));
  const next32 = (): string => (random() * 4_294_967_296).toString(16).padStart(8, '0');
  return {
    uuid() {
      const hex = next32() + next32() + next32() + next32();
      const variant = '89ab'[Number.parseInt(hex.charAt(16), 16) & 3];
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
    },
  };
}
