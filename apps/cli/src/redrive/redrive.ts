import type { RunMode, StreamBatchHandler, StreamMappingDefinition } from '@receipt-gate/lambda';
import {
  createLambdaContext,
  type FailedBatchRecords,
  readFailedBatch,
  type StreamFailureRecord,
  type StreamsClient,
} from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import type { FailureEntry, FailureSource } from './failure-source.js';

export type RedriveOutcome =
  /** Handled without a failure: removed from the destination. */
  | 'redriven'
  /** The handler threw or reported records failed again: kept. */
  | 'failed'
  /** Some (or all) of the batch's records are no longer in the stream: what was left was handled, the entry kept. */
  | 'incomplete'
  /** No mapping of that function name: kept. */
  | 'unknown_mapping'
  /** `--dry-run`: read back, not handled. */
  | 'dry_run';

export interface RedriveResult {
  readonly id: string;
  readonly mapping?: string;
  readonly functionArn: string;
  readonly condition: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
  /** The batch's records found in the stream again. */
  readonly records: readonly { eventName?: string; key: string; sequenceNumber?: string }[];
  readonly outcome: RedriveOutcome;
  readonly error?: string;
}

export interface RedriveOptions {
  readonly source: FailureSource;
  readonly mappings: readonly StreamMappingDefinition[];
  /** The handler the container gives for a mapping. */
  readonly handlerOf: (mapping: StreamMappingDefinition) => StreamBatchHandler;
  readonly streamsClient: StreamsClient;
  readonly region: string;
  /** The TYPE of the table's merchant records (a mapping's filters depend on it). */
  readonly merchantRecordType: string;
  /** The run mode (in `event` mode the dispatcher also takes settled runs). */
  readonly mode: RunMode;
  /** Use this mapping for every entry instead of the one its function name gives. */
  readonly mapping?: string;
  readonly dryRun: boolean;
  readonly signal?: AbortSignal;
  /** Called with each result as soon as it is known. */
  readonly onResult?: (result: RedriveResult) => void;
}

// A redriven batch gets the longest a Lambda invocation may run.
const INVOCATION_TIMEOUT_MS = 900_000;

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` -> its account and name. */
function functionOf(arn: string): { account: string; name: string } {
  const parts = arn.split(':');
  return { account: parts[4] || '000000000000', name: parts[6] ?? arn };
}

/**
 * The mapping an entry came from: the one named like its function (the local pump names functions after their
 * mapping), or else the only one whose name the deployed function's name contains (`ReceiptGate-Compaction…`).
 */
export function mappingFor(
  record: StreamFailureRecord,
  mappings: readonly StreamMappingDefinition[],
  override?: string,
): StreamMappingDefinition | undefined {
  if (override !== undefined) return mappings.find((mapping) => mapping.name === override);
  const { name } = functionOf(record.requestContext.functionArn);
  const exact = mappings.find((mapping) => mapping.name === name);
  if (exact) return exact;
  const containing = mappings.filter((mapping) => name.toLowerCase().includes(mapping.name.toLowerCase()));
  return containing.length === 1 ? containing[0] : undefined;
}

const keyOf = (record: DynamoDBRecord) => {
  const keys = record.dynamodb?.Keys;
  return `${keys?.PK?.S ?? '?'}|${keys?.SK?.S ?? '?'}`;
};

const messageOf = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Sends the batches an on-failure destination describes through their handler again: each entry's records are
 * read back from the stream (`readFailedBatch`, with its mapping's filters and parallelization), handled as
 * Lambda would invoke the function, and the entry is removed only when every record succeeded. Entries are
 * taken oldest first, one at a time, so records of one item keep their order.
 */
export async function redrive(options: RedriveOptions): Promise<RedriveResult[]> {
  const entries = await options.source.list();
  const results: RedriveResult[] = [];
  const redriven: FailureEntry[] = [];
  const kept: FailureEntry[] = [];
  try {
    for (const entry of entries) {
      if (options.signal?.aborted) {
        kept.push(entry);
        continue;
      }
      const result = await redriveOne(entry, options);
      results.push(result);
      options.onResult?.(result);
      (result.outcome === 'redriven' ? redriven : kept).push(entry);
    }
  } finally {
    await options.source.remove(redriven);
    await options.source.release(kept);
  }
  return results;
}

async function redriveOne(entry: FailureEntry, options: RedriveOptions): Promise<RedriveResult> {
  const { record } = entry;
  const info = record.DDBStreamBatchInfo;
  const mapping = mappingFor(record, options.mappings, options.mapping);
  const base = {
    id: entry.id,
    functionArn: record.requestContext.functionArn,
    condition: record.requestContext.condition,
    shardId: info.shardId,
    startSequenceNumber: info.startSequenceNumber,
    endSequenceNumber: info.endSequenceNumber,
    batchSize: info.batchSize,
  };
  if (!mapping) {
    return {
      ...base,
      records: [],
      outcome: 'unknown_mapping',
      error: `no stream mapping for this function (known: ${options.mappings.map((m) => m.name).join(', ')}); pass --mapping`,
    };
  }
  const batch: FailedBatchRecords = await readFailedBatch(record, {
    streamsClient: options.streamsClient,
    region: options.region,
    filters: mapping.filters(options.merchantRecordType, options.mode),
    parallelizationFactor: mapping.settings.parallelizationFactor,
    ...(options.signal && { signal: options.signal }),
  });
  const found = {
    ...base,
    mapping: mapping.name,
    records: batch.records.map((r) => ({
      ...(r.eventName && { eventName: r.eventName }),
      key: keyOf(r),
      ...(r.dynamodb?.SequenceNumber && { sequenceNumber: r.dynamodb.SequenceNumber }),
    })),
  };
  if (options.dryRun) return { ...found, outcome: 'dry_run' };
  const missing = `${info.batchSize - batch.records.length} of the batch's ${info.batchSize} records are no longer in the stream`;
  if (batch.records.length === 0) return { ...found, outcome: 'incomplete', error: missing };

  const { account, name } = functionOf(record.requestContext.functionArn);
  const context = createLambdaContext({
    functionName: name,
    region: options.region,
    accountId: account,
    timeoutMs: INVOCATION_TIMEOUT_MS,
  });
  try {
    const response = await options.handlerOf(mapping)({ Records: batch.records }, context);
    const failures = response?.batchItemFailures ?? [];
    if (failures.length > 0) {
      return {
        ...found,
        outcome: 'failed',
        error: `${failures.length} record(s) failed again, from sequence number ${failures[0]?.itemIdentifier}`,
      };
    }
  } catch (error) {
    return { ...found, outcome: 'failed', error: messageOf(error) };
  }
  return batch.complete
    ? { ...found, outcome: 'redriven' }
    : { ...found, outcome: 'incomplete', error: missing };
}
