import type { CompactionRun, CompactionRunKey, ReceiptRef } from '@receipt-gate/core';
import { CliError } from '../cli/cli-error.js';
import { type Connection, type ConnectionOptions, type ConnectNeeds, connect } from '../cli/connection.js';
import { EXIT } from '../cli/exit-codes.js';
import type { CliIo } from '../cli/io.js';

/** The options of every command: where the table is, and JSON output. */
export interface CommonOptions extends ConnectionOptions {
  readonly json?: boolean;
}

/** Connects, runs `work`, and closes the connection whatever happens. */
export async function withConnection<T>(
  io: CliIo,
  options: ConnectionOptions,
  needs: ConnectNeeds,
  work: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await connect(options, io, needs);
  try {
    return await work(connection);
  } finally {
    connection.close();
  }
}

/** Writes `value` as JSON with `--json`, else the text. */
export function report(io: CliIo, json: boolean | undefined, value: unknown, text: () => string): void {
  io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

export const receiptName = (receipt: ReceiptRef) => `${receipt.imageId}/${receipt.receiptId}`;

/**
 * The run to act on: the one named by `--run`, or the receipt's newest. A receipt without runs (or a `--run` it does
 * not have) is not found.
 */
export async function chooseRun(
  connection: Connection,
  receipt: ReceiptRef,
  runId: string | undefined,
): Promise<CompactionRunKey> {
  if (runId) return { ...receipt, runId };
  const { runs } = await connection.queries.receiptRuns(receipt);
  const newest: CompactionRun | undefined = runs.at(-1);
  if (!newest) throw new CliError(`receipt ${receiptName(receipt)} has no compaction run`, EXIT.notFound);
  return { imageId: newest.imageId, receiptId: newest.receiptId, runId: newest.runId };
}
