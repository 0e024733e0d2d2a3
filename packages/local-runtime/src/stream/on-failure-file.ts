import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { OnFailureFileError } from './stream-errors.js';
import type { StreamFailureRecord } from './stream-failure-record.js';
import type { OnFailure } from './subscription.js';

/**
 * An on-failure destination that appends each failed batch's invocation record to `path` as one JSON line, in the
 * shape Lambda sends to an SQS or SNS destination. Like those, it says where the batch is in the stream, not what
 * it held: `readOnFailureFile` and `readFailedBatch` bring the records back while the stream still has them.
 */
export function onFailureFile(path: string): OnFailure {
  let writes: Promise<void> = mkdir(dirname(path), { recursive: true }).then(() => undefined);
  return (_records, _error, info) => {
    // One write at a time, so concurrent lanes never interleave their lines.
    writes = writes.then(() => appendFile(path, `${JSON.stringify(info.invocationRecord)}\n`));
    return writes;
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One invocation record, as an on-failure destination holds it (a line of the file, the body of an SQS message);
 * `where` names it in the error when it is not one.
 */
export function parseStreamFailureRecord(text: string, where: string): StreamFailureRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new OnFailureFileError(`${where}: not JSON: ${(error as Error).message}`);
  }
  const context = isObject(parsed) ? parsed.requestContext : undefined;
  const info = isObject(parsed) ? parsed.DDBStreamBatchInfo : undefined;
  const problems = [
    isObject(context) && typeof context.condition === 'string' ? '' : 'requestContext.condition',
    isObject(info) && typeof info.shardId === 'string' && info.shardId ? '' : 'DDBStreamBatchInfo.shardId',
    isObject(info) && typeof info.streamArn === 'string' && info.streamArn
      ? ''
      : 'DDBStreamBatchInfo.streamArn',
    isObject(info) && /^\d+$/.test(String(info.startSequenceNumber))
      ? ''
      : 'DDBStreamBatchInfo.startSequenceNumber',
    isObject(info) && /^\d+$/.test(String(info.endSequenceNumber))
      ? ''
      : 'DDBStreamBatchInfo.endSequenceNumber',
    isObject(info) && Number.isInteger(info.batchSize) && Number(info.batchSize) > 0
      ? ''
      : 'DDBStreamBatchInfo.batchSize',
  ].filter(Boolean);
  if (problems.length > 0)
    throw new OnFailureFileError(
      `${where}: not a stream invocation record (missing or bad ${problems.join(', ')})`,
    );
  return parsed as unknown as StreamFailureRecord;
}

/** The invocation records an `onFailureFile` destination wrote, oldest first; none when the file does not exist. */
export async function readOnFailureFile(path: string): Promise<StreamFailureRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .map((line, index) => ({ line, where: `${path}:${index + 1}` }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, where }) => parseStreamFailureRecord(line, where));
}
