import { SQSClient } from '@aws-sdk/client-sqs';
import { STREAM_MAPPINGS, TOKENS } from '@receipt-gate/lambda';
import { LOCAL_CREDENTIALS } from '@receipt-gate/local-runtime';
import { isLoopback } from '../cli/connection.js';
import { EXIT } from '../cli/exit-codes.js';
import type { CliIo } from '../cli/io.js';
import type { FailureSource } from '../redrive/failure-source.js';
import { OnFailureFileSource } from '../redrive/on-failure-file-source.js';
import { type RedriveResult, redrive } from '../redrive/redrive.js';
import { SqsFailureSource } from '../redrive/sqs-failure-source.js';
import { type CommonOptions, withConnection } from './command-support.js';

export interface RedriveCommandOptions extends CommonOptions {
  /** An SQS queue URL, or the path of a stream pump's on-failure file. */
  readonly from: string;
  readonly dryRun?: boolean;
  /** The mapping whose handler runs every entry (default: the one named by each entry's function). */
  readonly mapping?: string;
  /** At most this many queue messages. */
  readonly max: number;
}

const isQueueUrl = (from: string) => /^https?:\/\//.test(from);

/**
 * `redrive`: the batches an on-failure destination holds, read back from the stream and handled again by their
 * mapping's handler from the container; an entry is removed only when all of its records succeeded.
 */
export async function redriveCommand(io: CliIo, options: RedriveCommandOptions): Promise<number> {
  return withConnection(io, options, { deltas: !options.dryRun }, async (connection) => {
    const { container, config } = connection;
    let sqs: SQSClient | undefined;
    let source: FailureSource;
    if (isQueueUrl(options.from)) {
      sqs = new SQSClient({
        region: config.region,
        ...(isLoopback(options.from) && { credentials: LOCAL_CREDENTIALS }),
      });
      // Hidden for as long as the redrive may take: every batch may run for a Lambda's longest invocation.
      source = new SqsFailureSource(sqs, options.from, {
        visibilityTimeoutSeconds: 900,
        maxMessages: options.max,
      });
    } else {
      source = new OnFailureFileSource(options.from);
    }
    try {
      const results = await redrive({
        source,
        mappings: STREAM_MAPPINGS,
        handlerOf: (mapping) => container.get(mapping.handler),
        streamsClient: connection.streamsClient(),
        region: config.region,
        merchantRecordType: container.get(TOKENS.MerchantRecordCodec).type,
        mode: config.mode,
        ...(options.mapping !== undefined && { mapping: options.mapping }),
        dryRun: options.dryRun ?? false,
        signal: io.signal,
        ...(!options.json && { onResult: (result) => io.stdout.write(`${resultLine(result)}\n`) }),
      });
      const kept = results.filter((result) => result.outcome !== 'redriven' && result.outcome !== 'dry_run');
      if (options.json) io.stdout.write(`${JSON.stringify({ from: options.from, results }, null, 2)}\n`);
      else io.stdout.write(`${summaryLine(results, options.dryRun ?? false)}\n`);
      return kept.length > 0 ? EXIT.error : EXIT.ok;
    } finally {
      sqs?.destroy();
    }
  });
}

function resultLine(result: RedriveResult): string {
  const batch = `${result.mapping ?? '?'} batch ${result.startSequenceNumber}..${result.endSequenceNumber} (${result.batchSize} records, ${result.condition})`;
  const records = result.records.map((r) => `${r.eventName ?? '?'} ${r.key}`).join(', ');
  switch (result.outcome) {
    case 'redriven':
      return `redriven and removed: ${batch}`;
    case 'dry_run':
      return `would redrive: ${batch}: ${result.records.length} found in the stream${records ? `: ${records}` : ''}`;
    default:
      return `kept (${result.outcome}): ${batch}: ${result.error}`;
  }
}

function summaryLine(results: readonly RedriveResult[], dryRun: boolean): string {
  if (results.length === 0) return 'nothing to redrive';
  if (dryRun) return `${results.length} entries; nothing handled or removed (--dry-run)`;
  const redriven = results.filter((result) => result.outcome === 'redriven').length;
  return `${redriven} of ${results.length} entries redriven and removed; ${results.length - redriven} kept`;
}
