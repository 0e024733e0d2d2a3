import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fc from 'fast-check';

// As in packages/core: every property and fuzz case is drawn from one seed, printed so any run can be replayed
// with FC_SEED. In CI the seed comes from the commit, so a run of a commit is the same wherever it runs.
function sessionSeed(): { seed: number; from: string } {
  if (process.env.FC_SEED) return { seed: Number(process.env.FC_SEED), from: 'FC_SEED' };
  if (process.env.CI) {
    try {
      const commit = execFileSync('git', ['rev-parse', 'HEAD'], {
        cwd: import.meta.dirname,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      return {
        seed: createHash('sha256').update(commit).digest().readUInt32BE(0) & 0x7fffffff,
        from: `commit ${commit}`,
      };
    } catch {
      // Not a git checkout (a source tarball): chance, as locally.
    }
  }
  return { seed: Math.floor(Math.random() * 2 ** 31), from: 'chance' };
}

const { seed, from } = sessionSeed();
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : 200;
fc.configureGlobal({ seed, numRuns });
console.info(`fast-check seed=${seed} from ${from}, numRuns=${numRuns} (replay: FC_SEED=${seed})`);
