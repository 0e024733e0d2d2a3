import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { CompactionRunKey } from '@receipt-gate/core';
import type { SampleReceipt } from '@receipt-gate/core/testing';
import { COFFEE_SHOP_RECEIPT, GAS_STATION_RECEIPT, RecordingTelemetry } from '@receipt-gate/core/testing';
import {
  type AppConfig,
  configFromEnv,
  createContainer,
  createDeltaStore,
  dispatcherFilters,
  ensureTable,
  STREAM_MAPPINGS,
  TOKENS,
} from '@receipt-gate/lambda';
import {
  createLambdaContext,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  LOCAL_S3_CREDENTIALS,
  localStreamsClient,
  onFailureFile,
  readOnFailureFile,
  StreamPump,
} from '@receipt-gate/local-runtime';
import type { Container } from 'inversify';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { startLoopbackSqs } from '../../test/loopback/sqs-server.js';
import { runInProcess } from '../cli/cli.test-support.js';
import { EXIT } from '../cli/exit-codes.js';
import { uploadOf } from '../e2e/e2e.test-support.js';
import { OnFailureFileSource } from './on-failure-file-source.js';
import { redrive } from './redrive.js';

interface World {
  env: Record<string, string>;
  container: Container;
  client: DynamoDBClient;
  streamArn: string;
  failures: string;
  directory: string;
  /** Uploads a receipt while the dispatcher is down: its run's INSERT lands in the on-failure file. */
  uploadWhileCompactorDown(sample: SampleReceipt): Promise<CompactionRunKey>;
}

let world: World;

beforeEach(async () => {
  const endpoint = inject('dynamoEndpoint');
  const s3Endpoint = inject('s3Endpoint');
  const directory = await mkdtemp(join(tmpdir(), 'redrive-'));
  const tableName = `redrive-${randomUUID().slice(0, 8)}`;
  const bucket = `redrive-${randomUUID().slice(0, 8)}`;
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    forcePathStyle: true,
    region: LOCAL_REGION,
    credentials: LOCAL_S3_CREDENTIALS,
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const streamArn = await ensureTable(client, tableName);
  const env = {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    DELTAS_BUCKET: bucket,
    S3_ENDPOINT: s3Endpoint,
    EMBEDDINGS_URI: join(directory, 'embeddings'),
    RECEIPT_GATE_MODE: 'event',
    // Named as deployed; neither is called here (no poison record, no settled run in the redriven batches).
    DEAD_LETTER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/dead-letters',
    VALIDATION_FUNCTION_NAME: 'validation',
  };
  const config: AppConfig = configFromEnv(env);
  const container = createContainer(config, {
    dynamoClient: client,
    telemetry: new RecordingTelemetry(),
    deltas: createDeltaStore(config, LOCAL_S3_CREDENTIALS),
  });
  const failures = join(directory, 'on-failure.jsonl');
  world = {
    env,
    container,
    client,
    streamArn,
    failures,
    directory,
    uploadWhileCompactorDown: async (sample) => {
      const upload = container.get(TOKENS.UploadHandler);
      const context = createLambdaContext({
        functionName: 'upload',
        region: LOCAL_REGION,
        accountId: '000000000000',
        timeoutMs: 60_000,
      });
      const { run } = await upload(uploadOf(sample), context);
      const streamsClient = localStreamsClient(endpoint);
      const pump = new StreamPump({ streamsClient, streamArn, region: LOCAL_REGION }, [
        {
          name: 'dispatcher',
          handler: async () => {
            throw new Error('the dispatcher is down');
          },
          startingPosition: 'TRIM_HORIZON',
          maximumRetryAttempts: 0,
          filters: dispatcherFilters('RECEIPT_PLACE', true),
          onFailure: onFailureFile(failures),
        },
      ]);
      try {
        await pump.start();
        await pump.drain({ idleMs: 300, timeoutMs: 30_000 });
      } finally {
        await pump.stop();
        streamsClient.destroy();
      }
      return run;
    },
  };
});

afterEach(async () => {
  world.client.destroy();
  await rm(world.directory, { recursive: true, force: true });
});

const runOf = (key: CompactionRunKey) =>
  world.container.get(TOKENS.CompactionRunRepository).getCompactionRun(key);

describe('redrive --from <the stream pump on-failure file>', () => {
  it('with --dry-run reads the batch back from the stream and changes nothing', {
    timeout: 60_000,
  }, async () => {
    const run = await world.uploadWhileCompactorDown(COFFEE_SHOP_RECEIPT);
    const before = await readFile(world.failures, 'utf8');
    expect(await readOnFailureFile(world.failures)).toHaveLength(1);

    const dry = await runInProcess(['redrive', '--from', world.failures, '--dry-run'], { env: world.env });
    expect(dry.code).toBe(EXIT.ok);
    expect(dry.stdout).toContain(`would redrive: dispatcher batch`);
    expect(dry.stdout).toContain(`INSERT IMAGE#${run.imageId}|RECEIPT#00001#COMPACTION_RUN#${run.runId}`);
    expect(await readFile(world.failures, 'utf8')).toBe(before);
    expect(await runOf(run)).toMatchObject({ linesState: 'PENDING', wordsState: 'PENDING' });
  });

  it('runs the batch through the dispatcher of the container and removes the entry', {
    timeout: 60_000,
  }, async () => {
    const run = await world.uploadWhileCompactorDown(COFFEE_SHOP_RECEIPT);
    const redriven = await runInProcess(['redrive', '--from', world.failures, '--json'], { env: world.env });
    expect(redriven.code).toBe(EXIT.ok);
    expect(redriven.json<{ results: unknown[] }>().results).toEqual([
      expect.objectContaining({
        mapping: 'dispatcher',
        outcome: 'redriven',
        condition: 'RetryAttemptsExhausted',
      }),
    ]);
    expect(await runOf(run)).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
    expect(await readOnFailureFile(world.failures)).toEqual([]);

    const again = await runInProcess(['redrive', '--from', world.failures], { env: world.env });
    expect(again.stdout).toBe('nothing to redrive\n');
  });

  it('keeps the entries it cannot redrive and removes only those it did (exit 1)', {
    timeout: 60_000,
  }, async () => {
    const run = await world.uploadWhileCompactorDown(GAS_STATION_RECEIPT);
    const [entry] = (await readFile(world.failures, 'utf8')).split('\n');
    const foreign = entry?.replace(/function:dispatcher/, 'function:somebody-elses-function') ?? '';
    await appendFile(world.failures, `${foreign}\n`);

    const result = await runInProcess(['redrive', '--from', world.failures], { env: world.env });
    expect(result.code).toBe(EXIT.error);
    expect(result.stdout).toMatch(/^redriven and removed: dispatcher batch/m);
    expect(result.stdout).toMatch(/^kept \(unknown_mapping\): \? batch .*pass --mapping/m);
    expect(result.stdout).toContain('1 of 2 entries redriven and removed; 1 kept');
    expect(await readFile(world.failures, 'utf8')).toBe(`${foreign}\n`);
    expect(await runOf(run)).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
  });

  it('keeps an entry whose handler fails again, and the file as it was', { timeout: 60_000 }, async () => {
    await world.uploadWhileCompactorDown(COFFEE_SHOP_RECEIPT);
    const before = await readFile(world.failures, 'utf8');
    const streamsClient = localStreamsClient(inject('dynamoEndpoint'));
    try {
      const results = await redrive({
        source: new OnFailureFileSource(world.failures),
        mappings: STREAM_MAPPINGS,
        handlerOf: () => async () => ({ batchItemFailures: [{ itemIdentifier: 'still-broken' }] }),
        streamsClient,
        region: LOCAL_REGION,
        merchantRecordType: 'RECEIPT_PLACE',
        mode: 'inline',
        dryRun: false,
      });
      expect(results).toEqual([
        expect.objectContaining({ outcome: 'failed', error: expect.stringContaining('failed again') }),
      ]);
      const thrown = await redrive({
        source: new OnFailureFileSource(world.failures),
        mappings: STREAM_MAPPINGS,
        handlerOf: () => async () => {
          throw new Error('still down');
        },
        streamsClient,
        region: LOCAL_REGION,
        merchantRecordType: 'RECEIPT_PLACE',
        mode: 'inline',
        dryRun: false,
      });
      expect(thrown).toEqual([expect.objectContaining({ outcome: 'failed', error: 'Error: still down' })]);
    } finally {
      streamsClient.destroy();
    }
    expect(await readFile(world.failures, 'utf8')).toBe(before);
  });
});

describe('redrive --from <an SQS queue URL>', () => {
  it('deletes the messages it redrove and makes the others visible again; --dry-run deletes none', {
    timeout: 60_000,
  }, async () => {
    const run = await world.uploadWhileCompactorDown(COFFEE_SHOP_RECEIPT);
    const [entry] = (await readFile(world.failures, 'utf8')).split('\n');
    const foreign = entry?.replace(/function:dispatcher/, 'function:somebody-elses-function') ?? '';
    const queue = await startLoopbackSqs();
    try {
      queue.send(entry ?? '');
      queue.send(foreign);

      const dry = await runInProcess(['redrive', '--from', queue.queueUrl, '--dry-run'], { env: world.env });
      // The foreign entry has no mapping: a redrive would keep it, and the dry run says so.
      expect(dry.code).toBe(EXIT.error);
      expect(dry.stdout).toMatch(
        /^would redrive: dispatcher batch .*: 1 found in the stream: INSERT IMAGE#/m,
      );
      expect(dry.stdout).toMatch(/^kept \(unknown_mapping\)/m);
      expect(dry.stdout).toContain('2 entries; nothing handled or removed (--dry-run)');
      expect(queue.visibleBodies()).toEqual([entry, foreign]);
      expect(queue.calls).not.toContain('DeleteMessage');

      const result = await runInProcess(['redrive', '--from', queue.queueUrl, '--json'], { env: world.env });
      expect(result.code).toBe(EXIT.error);
      expect(result.json<{ results: { outcome: string }[] }>().results.map((r) => r.outcome)).toEqual([
        'redriven',
        'unknown_mapping',
      ]);
      expect(queue.bodies()).toEqual([foreign]);
      expect(queue.visibleBodies()).toEqual([foreign]);
      expect(await runOf(run)).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
    } finally {
      await queue.close();
    }
  });
});
