import { execFileSync } from 'node:child_process';
import { FAULT_PROFILE_NAMES, type FaultProfileName } from '../scenario/fault-profile.js';

export interface SimArgs {
  readonly receipts: number;
  readonly seed: number;
  /** Where the seed came from: given, the commit, or drawn. */
  readonly seedSource: 'given' | 'commit' | 'random';
  readonly profile: FaultProfileName;
  readonly only?: ReadonlySet<number>;
  readonly disabled: ReadonlySet<string>;
  /** Print the whole trace of the run. */
  readonly trace: boolean;
  readonly shrink: boolean;
}

export class SimArgsError extends Error {
  override readonly name = 'SimArgsError';
}

export const USAGE = `usage: pnpm sim [--receipts N] [--seed S|random] [--faults ${FAULT_PROFILE_NAMES.join('|')}]
                [--only i,j,...] [--disable kind-or-id,...] [--trace] [--no-shrink]
  --receipts  receipts in the workload (default 1000)
  --seed      an integer from 0 to 4294967295; default: from the current commit (random when there is no git)
  --faults    the fault profile (default standard)
  --only      run only these receipts of the workload (a replay of a shrunk run)
  --disable   leave out faults by kind (crash, store-transient, person-decision, ...) or by id (r12.crash.0)
  --trace     print the run's whole trace
  --no-shrink do not shrink a failing run`;

/** Parses the command line of `pnpm sim`; throws SimArgsError naming the problem. */
export function parseSimArgs(
  argv: readonly string[],
  commitSeed: () => number | undefined = seedFromCommit,
): SimArgs {
  const args = argv.filter((arg) => arg !== '--');
  let receipts = 1000;
  let seed: number | undefined;
  let random = false;
  let profile: FaultProfileName = 'standard';
  let only: Set<number> | undefined;
  const disabled = new Set<string>();
  let trace = false;
  let shrink = true;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = () => {
      const next = args[++i];
      if (next === undefined || next.startsWith('--')) throw new SimArgsError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--receipts':
        receipts = integer(arg, value(), 1, 1_000_000);
        break;
      case '--seed': {
        const text = value();
        if (text === 'random') random = true;
        else seed = integer(arg, text, 0, 0xffffffff);
        break;
      }
      case '--faults': {
        const text = value();
        if (!(FAULT_PROFILE_NAMES as readonly string[]).includes(text)) {
          throw new SimArgsError(
            `--faults must be one of ${FAULT_PROFILE_NAMES.join(', ')}, got ${JSON.stringify(text)}`,
          );
        }
        profile = text as FaultProfileName;
        break;
      }
      case '--only':
        only = new Set(
          value()
            .split(',')
            .map((text) => integer(arg, text, 0, 999_999)),
        );
        break;
      case '--disable':
        for (const text of value().split(',')) if (text !== '') disabled.add(text);
        break;
      case '--trace':
        trace = true;
        break;
      case '--no-shrink':
        shrink = false;
        break;
      default:
        throw new SimArgsError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (only && [...only].some((index) => index >= receipts)) {
    throw new SimArgsError(`--only names receipts beyond the workload's ${receipts}`);
  }
  const fromCommit = seed === undefined && !random ? commitSeed() : undefined;
  const chosen = seed ?? fromCommit ?? Math.floor(Math.random() * 0x100000000);
  return {
    receipts,
    seed: chosen,
    seedSource: seed !== undefined ? 'given' : fromCommit !== undefined ? 'commit' : 'random',
    profile,
    ...(only && { only }),
    disabled,
    trace,
    shrink,
  };
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new SimArgsError(
      `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** The first 8 hex digits of the current commit as a seed, so CI runs each commit with its own seed. */
export function seedFromCommit(): number | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return Number.parseInt(head.trim().slice(0, 8), 16);
  } catch {
    return undefined;
  }
}
