import { type CompactionRun, timestampToEpochMs } from '@receipt-gate/core';
import type { RunsCursor } from '@receipt-gate/lambda';
import { formatDuration } from '../cli/arguments.js';
import { UsageError } from '../cli/cli-error.js';
import { EXIT } from '../cli/exit-codes.js';
import type { CliIo } from '../cli/io.js';
import { textTable } from '../demo/summary-table.js';
import { type CommonOptions, report, withConnection } from './command-support.js';

export interface RunsOptions extends CommonOptions {
  /** Only runs with a collection PENDING or PROCESSING. */
  readonly stuck?: boolean;
  /** With `stuck`: created at least this long ago. */
  readonly olderThan: number;
  /** Created at most this long ago (bounds how much of the index is read). */
  readonly since?: number;
  readonly limit: number;
  /** Where the previous page ended (printed by it). */
  readonly cursor?: string;
}

const encodeCursor = (cursor: RunsCursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(token: string): RunsCursor {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (['PK', 'SK', 'GSI1PK', 'GSI1SK'].every((key) => typeof cursor?.[key] === 'string')) return cursor;
  } catch {
    // Reported below, as any other malformed token.
  }
  throw new UsageError('--cursor: not a cursor printed by `runs` (copy it whole)');
}

/**
 * `runs`: the table's compaction runs, newest first, through GSI1 (`RUNS` / `CREATED_AT#…`), a page at a time;
 * with `--stuck`, those still PENDING or PROCESSING in a collection `--older-than` after their creation.
 */
export async function runsCommand(io: CliIo, options: RunsOptions): Promise<number> {
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  return withConnection(io, options, {}, async (connection) => {
    const now = Date.now();
    const page = await connection.queries.listRuns({
      createdBefore: options.stuck ? now - options.olderThan : now,
      ...(options.since !== undefined && { createdAfter: now - options.since }),
      unsettledOnly: options.stuck ?? false,
      limit: options.limit,
      ...(after && { after }),
    });
    const next = page.next && encodeCursor(page.next);
    report(
      io,
      options.json,
      { runs: page.runs, unreadable: page.unreadable, ...(next && { cursor: next }) },
      () => runsText(page.runs, page.unreadable, next, options, now),
    );
    return EXIT.ok;
  });
}

function runsText(
  runs: readonly CompactionRun[],
  unreadable: readonly { key: string; error: string }[],
  next: string | undefined,
  options: RunsOptions,
  now: number,
): string {
  const what = options.stuck
    ? `runs PENDING or PROCESSING for more than ${formatDuration(options.olderThan)}`
    : 'runs';
  const lines = [runs.length === 0 ? `no ${what}` : `${runs.length} ${what}, newest first:`];
  if (runs.length > 0) {
    lines.push(
      textTable(
        ['created', 'age', 'image', 'receipt', 'run', 'lines', 'words'],
        runs.map((run) => [
          run.createdAt,
          formatDuration(now - timestampToEpochMs(run.createdAt)),
          run.imageId,
          String(run.receiptId),
          run.runId,
          run.linesState,
          run.wordsState,
        ]),
      ),
    );
  }
  for (const item of unreadable) lines.push(`unreadable run item ${item.key}: ${item.error}`);
  if (next) lines.push(`more: add --cursor ${next}`);
  return lines.join('\n');
}
