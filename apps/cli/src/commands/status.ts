import {
  type CompactionRun,
  LABEL_VALIDATION_STATUSES,
  type MerchantRecord,
  type ReceiptRef,
  type ReceiptWordLabel,
  timestampToEpochMs,
} from '@receipt-gate/core';
import { TOKENS } from '@receipt-gate/lambda';
import { formatDuration } from '../cli/arguments.js';
import { EXIT } from '../cli/exit-codes.js';
import type { CliIo } from '../cli/io.js';
import { type CommonOptions, receiptName, report, withConnection } from './command-support.js';

export interface ReceiptStatus {
  readonly imageId: string;
  readonly receiptId: number;
  /** Oldest first. */
  readonly runs: readonly RunStatus[];
  readonly unreadableRuns: readonly { key: string; error: string }[];
  readonly labels: {
    readonly total: number;
    readonly byStatus: Readonly<Record<string, readonly LabelSummary[]>>;
  };
  readonly merchantRecord: MerchantRecord | null;
  /** Where merchant records are read from (MERCHANT_RECORD). */
  readonly merchantRecordType: string;
}

export interface RunStatus extends CompactionRun {
  /** How long each collection's merge took, when it started and finished. */
  readonly linesMs?: number;
  readonly wordsMs?: number;
}

export interface LabelSummary {
  readonly lineId: number;
  readonly wordId: number;
  readonly label: string;
  readonly proposedBy?: string;
}

const mergeMs = (started?: string, finished?: string) =>
  started && finished ? timestampToEpochMs(finished) - timestampToEpochMs(started) : undefined;

/** `status`: what the table holds about one receipt's compaction, labels and merchant record. */
export async function statusCommand(io: CliIo, receipt: ReceiptRef, options: CommonOptions): Promise<number> {
  return withConnection(io, options, {}, async (connection) => {
    const { container } = connection;
    const [runs, labels, merchantRecord] = await Promise.all([
      connection.queries.receiptRuns(receipt),
      container.get(TOKENS.LabelRepository).getLabels(receipt),
      container.get(TOKENS.MerchantRecordRepository).getMerchantRecord(receipt),
    ]);
    const status: ReceiptStatus = {
      ...receipt,
      runs: runs.runs.map((run) => ({
        ...run,
        ...withDefined('linesMs', mergeMs(run.linesStartedAt, run.linesFinishedAt)),
        ...withDefined('wordsMs', mergeMs(run.wordsStartedAt, run.wordsFinishedAt)),
      })),
      unreadableRuns: runs.unreadable,
      labels: { total: labels.length, byStatus: labelsByStatus(labels) },
      merchantRecord: merchantRecord ?? null,
      merchantRecordType: container.get(TOKENS.MerchantRecordCodec).type,
    };
    report(io, options.json, status, () => statusText(status));
    const found = status.runs.length > 0 || labels.length > 0 || merchantRecord !== undefined;
    return found ? EXIT.ok : EXIT.notFound;
  });
}

const withDefined = <K extends string>(key: K, value: number | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, number>>;

function labelsByStatus(labels: readonly ReceiptWordLabel[]): Record<string, LabelSummary[]> {
  const groups: Record<string, LabelSummary[]> = {};
  for (const label of labels) {
    const group = groups[label.validationStatus] ?? [];
    groups[label.validationStatus] = group;
    group.push({
      lineId: label.lineId,
      wordId: label.wordId,
      label: label.label,
      ...(label.labelProposedBy && { proposedBy: label.labelProposedBy }),
    });
  }
  return groups;
}

function statusText(status: ReceiptStatus): string {
  const lines = [`receipt ${receiptName(status)}`, ''];
  lines.push(status.runs.length === 0 ? 'runs: none' : `runs (${status.runs.length}, oldest first):`);
  for (const run of status.runs) {
    lines.push(`  run ${run.runId}  created ${run.createdAt}`);
    lines.push(
      `    lines  ${collectionText(run.linesState, run.linesMs, run.linesMergedVectors, run.linesError)}`,
    );
    lines.push(
      `    words  ${collectionText(run.wordsState, run.wordsMs, run.wordsMergedVectors, run.wordsError)}`,
    );
  }
  for (const unreadable of status.unreadableRuns) {
    lines.push(`  unreadable run item ${unreadable.key}: ${unreadable.error}`);
  }
  lines.push('');
  const statuses = [
    ...LABEL_VALIDATION_STATUSES.filter((name) => status.labels.byStatus[name]),
    ...Object.keys(status.labels.byStatus).filter(
      (name) => !(LABEL_VALIDATION_STATUSES as readonly string[]).includes(name),
    ),
  ];
  lines.push(
    status.labels.total === 0
      ? 'labels: none'
      : `labels (${status.labels.total}): ${statuses.map((name) => `${name} ${status.labels.byStatus[name]?.length}`).join(', ')}`,
  );
  for (const name of statuses) {
    const labels = status.labels.byStatus[name] ?? [];
    lines.push(
      `  ${name}: ${labels.map((label) => `${label.label}@${label.lineId}.${label.wordId}`).join(' ')}`,
    );
  }
  lines.push('');
  const record = status.merchantRecord;
  if (!record) lines.push(`merchant record (${status.merchantRecordType}): none`);
  else {
    lines.push(`merchant record (${status.merchantRecordType}): ${record.merchantName}`);
    const fields: [string, unknown][] = [
      ['address', record.address],
      ['phone', record.phoneNumber],
      ['place id', record.placeId || undefined],
      ['validation status', record.validationStatus || undefined],
      ['validated by', record.validatedBy],
      ['confidence', record.confidence],
      ['updated', record.timestamp],
    ];
    for (const [name, value] of fields) if (value !== undefined) lines.push(`  ${name}: ${value}`);
  }
  return lines.join('\n');
}

function collectionText(
  state: string,
  ms: number | undefined,
  merged: number,
  error: string | undefined,
): string {
  const parts = [state.padEnd(10)];
  if (ms !== undefined) parts.push(`took ${formatDuration(ms)}`);
  if (state === 'COMPLETED') parts.push(`${merged} vectors`);
  if (error) parts.push(`error: ${error}`);
  return parts.join('  ');
}
