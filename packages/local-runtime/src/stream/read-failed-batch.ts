import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { compileFilterCriteria, type FilterPattern } from './filter-criteria.js';
import { laneOf } from './lane-of.js';
import type { StreamsClient } from './shard-consumer.js';
import { StreamPumpConfigError } from './stream-errors.js';
import type { StreamFailureRecord } from './stream-failure-record.js';
import { toLambdaRecord } from './to-lambda-record.js';

export interface FailedBatchSource {
  readonly streamsClient: StreamsClient;
  /** The region put in each record, as the pump did. */
  readonly region: string;
  /**
   * The settings of the subscription that gave the batch up. They pick its records out of the sequence range: the
   * range also holds records its filters dropped and, with a parallelization factor, records of other lanes.
   */
  readonly filters?: readonly FilterPattern[];
  readonly parallelizationFactor?: number;
  readonly signal?: AbortSignal;
}

export interface FailedBatchRecords {
  /** The batch's records as they were delivered, in stream order. */
  readonly records: DynamoDBRecord[];
  /** Every one of the `batchSize` records was found; false when the stream trimmed some (or the settings differ). */
  readonly complete: boolean;
}

/** Empty pages in a row after which the shard is taken to hold nothing more of the range (it is open). */
const MAX_EMPTY_PAGES = 5;

/**
 * Reads a failed batch back from the stream, from the invocation record an on-failure destination got: what a
 * redrive needs to run those records again. Lambda's invocation record gives the shard and the first and last
 * sequence numbers; the subscription's filters and parallelization factor tell which records between them were
 * in the batch (those of the first record's lane).
 */
export async function readFailedBatch(
  failure: StreamFailureRecord,
  source: FailedBatchSource,
): Promise<FailedBatchRecords> {
  const { shardId, streamArn, startSequenceNumber, endSequenceNumber, batchSize } =
    failure.DDBStreamBatchInfo;
  const lanes = source.parallelizationFactor ?? 1;
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 10)
    throw new StreamPumpConfigError(`parallelizationFactor must be an integer from 1 to 10, got ${lanes}`);
  const accepts = compileFilterCriteria(source.filters);
  const start = BigInt(startSequenceNumber);
  const end = BigInt(endSequenceNumber);
  const options = { abortSignal: source.signal };

  let iterator: string | undefined;
  try {
    ({ ShardIterator: iterator } = await source.streamsClient.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: startSequenceNumber,
      }),
      options,
    ));
  } catch (error) {
    if (error instanceof TrimmedDataAccessException) return { records: [], complete: false };
    throw error;
  }

  const records: DynamoDBRecord[] = [];
  let lane: number | undefined;
  let emptyPages = 0;
  while (iterator !== undefined && emptyPages < MAX_EMPTY_PAGES && records.length < batchSize) {
    const page = await source.streamsClient.send(new GetRecordsCommand({ ShardIterator: iterator }), options);
    iterator = page.NextShardIterator;
    const found = page.Records ?? [];
    emptyPages = found.length === 0 ? emptyPages + 1 : 0;
    for (const raw of found) {
      const sequence = BigInt(raw.dynamodb?.SequenceNumber ?? '-1');
      if (sequence > end) {
        iterator = undefined;
        break;
      }
      if (sequence < start) continue;
      const record = toLambdaRecord(raw, { streamArn, region: source.region });
      if (!accepts(record)) continue;
      lane ??= laneOf(record, lanes);
      if (laneOf(record, lanes) === lane) records.push(record);
    }
  }
  return { records, complete: records.length === batchSize };
}
