// A child process of gate.bench.ts: simulates scenarios [from, to) under every bench policy and sends the raw
// samples back, so the waits spread over the machine's cores.
import { simulatePolicy } from './compare.js';
import { BENCH_POLICIES } from './policies.js';
import { generateScenarios } from './scenarios.js';

const [seed = Number.NaN, n = Number.NaN, from = Number.NaN, to = Number.NaN] = process.argv
  .slice(2)
  .map(Number);
if (![seed, n, from, to].every(Number.isInteger) || !process.send) {
  throw new Error('shard.ts is started by gate.bench.ts: expected <seed> <n> <from> <to> and an IPC channel');
}
const scenarios = generateScenarios(seed, n).slice(from, to);
const samples = [];
for (const bench of BENCH_POLICIES) samples.push(await simulatePolicy(bench, scenarios, seed));
process.send(samples);
