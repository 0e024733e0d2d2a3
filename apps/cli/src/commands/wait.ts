import { type GateResult, PollingCompactionGate, type ReceiptRef } from '@receipt-gate/core';
import { SystemClock, TOKENS } from '@receipt-gate/lambda';
import { formatDuration } from '../cli/arguments.js';
import { exitCodeOf } from '../cli/exit-codes.js';
import type { CliIo } from '../cli/io.js';
import { GateProgress, type Repeat } from '../progress/gate-progress.js';
import { type CommonOptions, chooseRun, report, withConnection } from './command-support.js';

export interface WaitOptions extends CommonOptions {
  readonly run?: string;
  /** The gate's budget (its `maxWaitMs`). */
  readonly timeout: number;
  /** Between two reads (its `pollIntervalMs`). */
  readonly interval?: number;
}

/** How the progress display is driven (tests step its redraws by hand). */
export interface WaitDisplay {
  readonly repeat?: Repeat;
}

/**
 * `wait`: the gate the validation uses (`PollingCompactionGate`, with the functions' GATE_* settings), on the
 * receipt's newest run or `--run`, with `--timeout` as its budget. Progress goes to stderr, the outcome to stdout,
 * and the exit code says which outcome it was.
 */
export async function waitCommand(
  io: CliIo,
  receipt: ReceiptRef,
  options: WaitOptions,
  display: WaitDisplay = {},
): Promise<number> {
  return withConnection(io, options, {}, async (connection) => {
    const run = await chooseRun(connection, receipt, options.run);
    const clock = new SystemClock();
    const progress = new GateProgress(io.stderr, {
      label: `${run.imageId.slice(0, 8)}/${run.receiptId} run ${run.runId.slice(0, 8)}`,
      now: () => clock.now(),
      ...(display.repeat && { repeat: display.repeat }),
    });
    const gate = new PollingCompactionGate(
      {
        runs: connection.container.get(TOKENS.CompactionRunRepository),
        clock,
        telemetry: progress.telemetry(),
      },
      {
        ...connection.config.gatePolicy,
        maxWaitMs: options.timeout,
        ...(options.interval !== undefined && { pollIntervalMs: options.interval }),
      },
    );
    progress.start();
    let result: GateResult;
    try {
      result = await gate.waitForCompaction(run, { signal: io.signal });
    } catch (error) {
      progress.finish('stopped: a read of the run failed');
      throw error;
    }
    // The outcome goes to stdout; the progress line only goes away.
    progress.finish();
    const summary = summaryOf(result);
    const exitCode = exitCodeOf(result.outcome);
    report(
      io,
      options.json,
      {
        outcome: result.outcome,
        exitCode,
        run,
        waitedMs: result.waitedMs,
        reads: result.polls,
        ...(result.run && { linesState: result.run.linesState, wordsState: result.run.wordsState }),
        ...(result.error !== undefined && { error: result.error }),
      },
      () => summary,
    );
    return exitCode;
  });
}

function summaryOf(result: GateResult): string {
  const after = `after ${formatDuration(result.waitedMs)}, ${result.polls} ${result.polls === 1 ? 'read' : 'reads'}`;
  const states = result.run ? ` (lines ${result.run.linesState}, words ${result.run.wordsState})` : '';
  switch (result.outcome) {
    case 'completed':
      return `completed ${after}: both collections COMPLETED`;
    case 'failed':
      return `failed ${after}: ${result.error ?? 'no error text'}`;
    case 'timed_out':
      return `timed_out ${after}${states}`;
    case 'not_found':
      return `not_found ${after}: the run does not exist`;
    case 'aborted':
      return `aborted ${after}${states}`;
  }
}
