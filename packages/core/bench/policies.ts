import { type GatePolicy, resolveGatePolicy, SEED_GATE_POLICY } from '../src/index.js';

export interface BenchPolicy {
  readonly name: string;
  readonly policy: GatePolicy;
}

const BACKOFF_START = { pollIntervalMs: 1_000 } as const;
const BACKOFF = { multiplier: 1.5, maxIntervalMs: 5_000 } as const;

/** The seed first: every other policy is compared with it. */
export const BENCH_POLICIES: readonly BenchPolicy[] = [
  { name: 'seed', policy: SEED_GATE_POLICY },
  {
    name: 'backoff',
    policy: resolveGatePolicy({ ...BACKOFF_START, backoff: { ...BACKOFF, jitter: false } }),
  },
  {
    name: 'backoff+jitter',
    policy: resolveGatePolicy({ ...BACKOFF_START, backoff: { ...BACKOFF, jitter: true } }),
  },
  { name: 'fixed 500 ms', policy: resolveGatePolicy({ pollIntervalMs: 500 }) },
];

/** The longest interval the policy can sleep between two reads. */
export function maxIntervalMs(policy: GatePolicy): number {
  return policy.backoff?.maxIntervalMs ?? policy.pollIntervalMs;
}

const seconds = (ms: number) => `${ms / 1000} s`;

/** The policy in words, from its values (so the report cannot drift from the code). */
export function describePolicy(policy: GatePolicy): string {
  const budget = `give up after ${seconds(policy.maxWaitMs)}`;
  const { backoff } = policy;
  if (!backoff) return `read every ${seconds(policy.pollIntervalMs)}; ${budget}`;
  const jitter = backoff.jitter ? ', each interval drawn uniformly from the first to that' : '';
  return `first interval ${seconds(policy.pollIntervalMs)}, x${backoff.multiplier} per read, capped at ${seconds(backoff.maxIntervalMs)}${jitter}; ${budget}`;
}
