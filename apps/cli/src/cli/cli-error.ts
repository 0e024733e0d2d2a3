import { EXIT } from './exit-codes.js';

/** A failure the CLI explains in one line and exits with `exitCode`, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}

/** Bad input: an argument, an option or the configuration. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
