import { randomUUID } from 'node:crypto';
import { deltaPrefixes, type ReceiptRef } from '@receipt-gate/core';
import { NothingToRecompactError, recompactReceipt, SystemClock, TOKENS } from '@receipt-gate/lambda';
import { CliError } from '../cli/cli-error.js';
import { confirm } from '../cli/confirm.js';
import { EXIT } from '../cli/exit-codes.js';
import type { CliIo } from '../cli/io.js';
import { type CommonOptions, receiptName, report, withConnection } from './command-support.js';

export interface RecompactOptions extends CommonOptions {
  /** Do not ask for confirmation. */
  readonly yes?: boolean;
}

// An upload holds a receipt's lease for seconds; a minute is ample, and an abandoned lease expires before it.
const LEASE_WAIT_MS = 60_000;

/**
 * `recompact`: a new compaction run for the receipt, from what the table holds now (its lines, words and
 * merchant record), written as the upload writes one, under the receipt's lease: both deltas, then the
 * COMPACTION_RUN whose INSERT starts the compactor. The run id is new (a random UUID), so earlier runs, FAILED or
 * not, stay as they are. The question shows what the table holds when asked; the run is built from what it holds
 * once the lease is taken (an upload may have replaced the receipt in between).
 */
export async function recompactCommand(
  io: CliIo,
  receipt: ReceiptRef,
  options: RecompactOptions,
): Promise<number> {
  return withConnection(io, options, { deltas: true }, async (connection) => {
    const { container } = connection;
    const [content, metadata] = await Promise.all([
      container.get(TOKENS.ReceiptRepository).getReceiptContent(receipt),
      container.get(TOKENS.MerchantRecordRepository).getMerchantRecord(receipt),
    ]);
    if (content.lines.length === 0 && content.words.length === 0) {
      throw new CliError(`receipt ${receiptName(receipt)} has no lines or words in the table`, EXIT.notFound);
    }
    const what = `${content.lines.length} lines, ${content.words.length} words and ${metadata ? 'its merchant record' : 'no merchant record'}`;
    if (
      !options.yes &&
      !(await confirm(
        io,
        `Create a new compaction run for receipt ${receiptName(receipt)} from its ${what}?`,
      ))
    ) {
      throw new CliError('not confirmed: nothing written (pass --yes to skip the question)');
    }
    const run = { ...receipt, runId: randomUUID() };
    const clock = new SystemClock();
    const built = await recompactReceipt(
      {
        versions: container.get(TOKENS.ReceiptVersionStore),
        deltas: container.get(TOKENS.EmbeddingDeltaStore),
        embedder: container.get(TOKENS.Embedder),
        clock,
      },
      run,
      { waitUntil: clock.now() + LEASE_WAIT_MS },
    ).catch((error: unknown) => {
      if (error instanceof NothingToRecompactError) throw new CliError(error.message, EXIT.notFound);
      throw error;
    });
    const builtFrom = `${built.lines.length} lines, ${built.words.length} words and ${built.metadata ? 'its merchant record' : 'no merchant record'}`;
    const prefixes = deltaPrefixes(run);
    report(
      io,
      options.json,
      {
        run,
        ...prefixes,
        deltasBucket: connection.config.embeddings.deltasBucket,
        lines: built.lines.length,
        words: built.words.length,
        merchantRecord: built.metadata !== undefined,
      },
      () =>
        [
          `created run ${run.runId} for receipt ${receiptName(receipt)} from its ${builtFrom}`,
          `deltas: s3://${connection.config.embeddings.deltasBucket}/${prefixes.linesDeltaPrefix} and …/${prefixes.wordsDeltaPrefix}`,
          `the compactor merges it when the run's INSERT reaches it; follow it with: receipt-gate wait ${receipt.imageId} ${receipt.receiptId}`,
        ].join('\n'),
    );
    return EXIT.ok;
  });
}
