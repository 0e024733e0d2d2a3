/** Where a command writes: a process's stdout or stderr, or a test's capture. */
export interface Output {
  write(text: string): unknown;
  /** A terminal: progress is drawn in place. */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Everything a command touches outside its arguments, so tests run commands in-process. */
export interface CliIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Where a confirmation is read from (a line). */
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted when the operator interrupts (Ctrl-C). */
  readonly signal: AbortSignal;
}

/** The process's own streams, environment and interrupt. */
export function processIo(signal: AbortSignal): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signal };
}
