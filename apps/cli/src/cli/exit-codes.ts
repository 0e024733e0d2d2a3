import type { GateOutcome } from '@receipt-gate/core';

/** The exit codes of every command, as `--help` documents them. */
export const EXIT = {
  ok: 0,
  /** The command could not do its work: AWS refused, the table is missing, no credentials, an entry kept. */
  error: 1,
  /** Bad arguments or configuration. */
  usage: 2,
  /** The compaction run FAILED. */
  failed: 3,
  /** The run did not settle before the timeout. */
  timedOut: 4,
  /** No such receipt or run. */
  notFound: 5,
  /** Interrupted (Ctrl-C), as shells report SIGINT. */
  interrupted: 130,
} as const;

const BY_OUTCOME: Readonly<Record<GateOutcome, number>> = {
  completed: EXIT.ok,
  failed: EXIT.failed,
  timed_out: EXIT.timedOut,
  not_found: EXIT.notFound,
  aborted: EXIT.interrupted,
};

export const exitCodeOf = (outcome: GateOutcome): number => BY_OUTCOME[outcome];

/** The exit codes of a command that waits on the gate, for its `--help`. */
export const GATE_EXIT_CODES_HELP = `Exit codes:
  0    completed: both collections COMPLETED
  3    failed: a collection FAILED (its error is printed)
  4    timed_out: not settled within --timeout
  5    not_found: the receipt has no run (or --run names none)
  1    an error (no credentials, no such table, AWS refused)
  2    bad arguments or configuration
  130  interrupted (Ctrl-C)`;
