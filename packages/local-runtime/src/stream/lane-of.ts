import { createHash } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';

/** The item a record changed: its key attributes (partition and sort key) in name order, as text. */
export function itemKey(record: DynamoDBRecord): string {
  const keys = record.dynamodb?.Keys ?? {};
  return JSON.stringify(
    Object.keys(keys)
      .sort()
      .map((name) => [name, keys[name]]),
  );
}

/**
 * The lane (0 to `lanes - 1`) that processes a record when a shard is read with a parallelization factor of
 * `lanes`: a hash of its item key, so all records of one item share a lane and stay in order. Lambda promises
 * order per item (partition and sort key) for DynamoDB streams; its hash is not published, MD5 is what Kinesis
 * uses to map partition keys to shards.
 */
export function laneOf(record: DynamoDBRecord, lanes: number): number {
  if (lanes === 1) return 0;
  const digest = createHash('md5').update(itemKey(record)).digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(lanes));
}
