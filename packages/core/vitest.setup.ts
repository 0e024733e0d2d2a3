import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { regressionSeeds } from './src/fast-check-seeds.test-support.js';

/** The checked-out commit, or undefined outside a git checkout (a source tarball). */
function headCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: import.meta.dirname,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/** The session seed and where it came from: FC_SEED, the commit (in CI), or chance. */
function sessionSeed(): { seed: number; from: string } {
  if (process.env.FC_SEED) return { seed: Number(process.env.FC_SEED), from: 'FC_SEED' };
  const ci = regressionSeeds().length > 0;
  const commit = ci ? headCommit() : undefined;
  if (commit) {
    return {
      seed: createHash('sha256').update(commit).digest().readUInt32BE(0) & 0x7fffffff,
      from: `commit ${commit}`,
    };
  }
  return { seed: Math.floor(Math.random() * 2 ** 31), from: ci ? 'chance (no git commit found)' : 'chance' };
}

// Every property runs at least 200 times; the seed is printed so any run can be replayed with FC_SEED.
const { seed, from } = sessionSeed();
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 200;
fc.configureGlobal({ seed, numRuns });
const extra = regressionSeeds();
console.info(
  `fast-check seed=${seed} from ${from}, numRuns=${numRuns} (replay: FC_SEED=${seed})${extra.length > 0 ? `; regression seeds ${extra.join(', ')}` : ''}`,
);
