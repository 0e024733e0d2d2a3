import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeStream, fakePump, STREAM_ARN } from './fake-stream.test-support.js';
import { laneOf } from './lane-of.js';
import { onFailureFile, readOnFailureFile } from './on-failure-file.js';
import { readFailedBatch } from './read-failed-batch.js';
import { OnFailureFileError } from './stream-errors.js';
import type { StreamPump } from './stream-pump.js';

const idOf = (record: DynamoDBRecord) => record.eventID ?? '?';
const onLane = (lane: number, prefix: string) => {
  for (let i = 0; ; i++)
    if (laneOf({ dynamodb: { Keys: { PK: { S: `${prefix}${i}` } } } }, 2) === lane) return `${prefix}${i}`;
};
const SKIP = '{"dynamodb":{"Keys":{"PK":{"S":[{"anything-but":{"prefix":"skip"}}]}}}}';

let dir: string;
let pump: StreamPump | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'on-failure-'));
});
afterEach(async () => {
  await pump?.stop();
  pump = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('onFailureFile and readFailedBatch', () => {
  it("writes Lambda's invocation record per failed batch, from which the batch's records can be read back", async () => {
    const stream = new FakeStream([{ id: 'shardId-1', records: [], closed: false }]);
    const [a0, a1, skipped, b0, b1] = [
      onLane(0, 'a'),
      onLane(0, 'aa'),
      onLane(0, 'skip'),
      onLane(1, 'b'),
      onLane(1, 'bb'),
    ];
    // The failed lane-0 batch spans records of lane 1 and a filtered-out one in the stream.
    stream.putRecords(
      'shardId-1',
      ...[a0, b0, skipped, a1, b1].map((pk, i) => ({ id: pk, pk, createdAt: 1_767_268_800 + i })),
    );
    const path = join(dir, 'nested', 'failures.jsonl');
    const file = onFailureFile(path);
    const callbackRecords: DynamoDBRecord[][] = [];
    pump = fakePump(stream, [
      {
        name: 'compaction',
        startingPosition: 'TRIM_HORIZON',
        parallelizationFactor: 2,
        filters: [SKIP],
        maximumRetryAttempts: 1,
        handler: async (event) => {
          if (event.Records.some((record) => idOf(record) === a0)) throw new Error('poison');
        },
        onFailure: async (records, error, info) => {
          callbackRecords.push(records);
          await file(records, error, info);
        },
      },
    ]);
    await pump.start();
    await pump.drain({ idleMs: 50 });

    const failures = await readOnFailureFile(path);
    expect(failures).toStrictEqual([
      {
        requestContext: {
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:compaction',
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 2,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        DDBStreamBatchInfo: {
          shardId: 'shardId-1',
          startSequenceNumber: '000000000000000000001',
          endSequenceNumber: '000000000000000000004',
          approximateArrivalOfFirstRecord: '2026-01-01T12:00:00Z',
          approximateArrivalOfLastRecord: '2026-01-01T12:00:03Z',
          batchSize: 2,
          streamArn: STREAM_ARN,
        },
      },
    ]);

    const back = await readFailedBatch(failures[0] as (typeof failures)[0], {
      streamsClient: stream.client,
      region: 'us-east-1',
      filters: [SKIP],
      parallelizationFactor: 2,
    });
    expect(back.complete).toBe(true);
    expect(back.records.map(idOf)).toEqual([a0, a1]);
    expect(back.records).toEqual(callbackRecords[0]);

    // Without the subscription's settings the range holds more than the batch, and says so.
    const unfiltered = await readFailedBatch(failures[0] as (typeof failures)[0], {
      streamsClient: stream.client,
      region: 'us-east-1',
    });
    expect(unfiltered.complete).toBe(false);
  });

  it('finds nothing, and says so, once the stream has trimmed the batch', async () => {
    const stream = new FakeStream([{ id: 'shardId-1', records: [], closed: false }]);
    stream.put('shardId-1', 'r1', 'r2');
    stream.shard('shardId-1').trimmedBefore = 2;
    const line = {
      requestContext: {
        requestId: 'x',
        functionArn: 'f',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 1,
      },
      version: '1.0',
      timestamp: '2026-01-01T00:00:00.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-1',
        startSequenceNumber: '000000000000000000001',
        endSequenceNumber: '000000000000000000002',
        batchSize: 2,
        streamArn: STREAM_ARN,
      },
    } as const;
    expect(await readFailedBatch(line, { streamsClient: stream.client, region: 'us-east-1' })).toEqual({
      records: [],
      complete: false,
    });
  });

  it('reads no failures from a file not written yet, and names the line that is not an invocation record', async () => {
    expect(await readOnFailureFile(join(dir, 'none.jsonl'))).toEqual([]);
    const path = join(dir, 'bad.jsonl');
    await writeFile(
      path,
      '\n{"requestContext":{"condition":"RetryAttemptsExhausted"},"DDBStreamBatchInfo":{}}\n',
    );
    await expect(readOnFailureFile(path)).rejects.toThrow(OnFailureFileError);
    await expect(readOnFailureFile(path)).rejects.toThrow(
      `${path}:2: not a stream invocation record (missing or bad DDBStreamBatchInfo.shardId`,
    );
    await writeFile(path, 'not json\n');
    await expect(readOnFailureFile(path)).rejects.toThrow(`${path}:1: not JSON`);
  });
});
