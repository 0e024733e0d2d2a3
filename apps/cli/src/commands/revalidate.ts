import type { ReceiptRef, ValidationReport } from '@receipt-gate/core';
import { TOKENS } from '@receipt-gate/lambda';
import { formatDuration } from '../cli/arguments.js';
import { exitCodeOf } from '../cli/exit-codes.js';
import type { CliIo } from '../cli/io.js';
import { type CommonOptions, chooseRun, receiptName, report, withConnection } from './command-support.js';

export interface RevalidateOptions extends CommonOptions {
  readonly run?: string;
  /** Caps the gate's wait (and the analysis) from now. */
  readonly timeout?: number;
}

/**
 * `revalidate`: the validation the functions run (`validateReceipt` from the container, with their outcome policy
 * and analyzer), now, on the receipt's newest run or `--run`; prints its report. Labels are idempotent and decided
 * labels are never changed, so running it again is harmless.
 */
export async function revalidateCommand(
  io: CliIo,
  receipt: ReceiptRef,
  options: RevalidateOptions,
): Promise<number> {
  return withConnection(io, options, {}, async (connection) => {
    const run = await chooseRun(connection, receipt, options.run);
    const validate = connection.container.get(TOKENS.Validate);
    const validation = await validate({
      run,
      signal: io.signal,
      ...(options.timeout !== undefined && { deadlineAt: Date.now() + options.timeout }),
    });
    report(io, options.json, validation, () => reportText(validation));
    return exitCodeOf(validation.gate.outcome);
  });
}

function reportText(validation: ValidationReport): string {
  const { gate, labels, metadata, timings } = validation;
  const lines = [
    `receipt ${receiptName(validation.run)} run ${validation.run.runId}`,
    `gate: ${gate.outcome} after ${formatDuration(gate.waitedMs)}, ${gate.polls} ${gate.polls === 1 ? 'read' : 'reads'}${gate.error ? ` (${gate.error})` : ''}`,
    `decision: ${validation.decision} (analyzer ${validation.analyzer})`,
    `labels: ${labels.proposed} proposed, ${labels.written} written, ${labels.alreadyPresent} already present, ${labels.frozen} decided by someone else, ${labels.rejected.length} rejected`,
  ];
  for (const rejected of labels.rejected) {
    lines.push(
      `  rejected ${rejected.proposal.label}@${rejected.proposal.lineId}.${rejected.proposal.wordId}: ${rejected.reason}`,
    );
  }
  if (metadata.status === 'corrected' || metadata.status === 'conflict') {
    const changes = Object.entries(metadata.changes)
      .map(([field, value]) => `${field}=${JSON.stringify(value)}`)
      .join(', ');
    lines.push(
      `merchant record: ${metadata.status === 'corrected' ? 'corrected' : 'changed since read, not corrected'}: ${changes} (${metadata.reasoning})`,
    );
  } else lines.push(`merchant record: ${metadata.status.replace('_', ' ')}`);
  lines.push(
    `timings: gate ${formatDuration(timings.gateMs)}, analysis ${formatDuration(timings.analysisMs)}, total ${formatDuration(timings.totalMs)}`,
  );
  return lines.join('\n');
}
