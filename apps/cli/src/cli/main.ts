import { CommanderError } from '@commander-js/extra-typings';
import { ConfigError } from '@receipt-gate/lambda';
import type { WaitDisplay } from '../commands/wait.js';
import { CliError } from './cli-error.js';
import { explainAwsError } from './connection.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { createProgram, type ScriptCommands } from './program.js';

/** The demo, benchmark and evaluation, loaded only when run (they bring the local servers and LanceDB). */
export const SCRIPT_COMMANDS: ScriptCommands = {
  demo: async (argv) => (await import('../demo/demo.js')).runDemo(argv),
  bench: async (argv) => (await import('../../bench/e2e.bench.js')).runBench(argv),
  eval: async (argv) => (await import('../../eval/eval.js')).runEval(argv),
};

/** Runs one command line; returns its exit code. Every failure is explained in one line on stderr. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  scripts: ScriptCommands = SCRIPT_COMMANDS,
  display: WaitDisplay = {},
): Promise<number> {
  const { program, exitCode } = createProgram(io, scripts, display);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode();
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message (or the help) already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const explained =
      error instanceof CliError
        ? error
        : error instanceof ConfigError
          ? new CliError(error.message, EXIT.usage)
          : explainAwsError(error);
    if (explained) {
      io.stderr.write(`error: ${explained.message}\n`);
      return explained.exitCode;
    }
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    io.stderr.write(`error: ${name}: ${message}\n`);
    return EXIT.error;
  }
}
