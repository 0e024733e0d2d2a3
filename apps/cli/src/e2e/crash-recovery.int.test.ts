import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type CompactionRunKey, NOOP_TELEMETRY } from '@receipt-gate/core';
import { createContainer, createSnapshotStore, TOKENS } from '@receipt-gate/lambda';
import {
  checkInvariants,
  type DynamoDbLocal,
  type GivenUp,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  RunRecorder,
  startDynamoDbLocal,
} from '@receipt-gate/local-runtime';
import { describe, expect, inject, it, onTestFailed } from 'vitest';
import { demoUploads } from '../demo/demo-uploads.js';
import type { FromHandlers, HandlersProcessOptions, ToHandlers } from '../local-system/handlers-process.js';
import { localConfig } from '../local-system/local-system.js';

const NOTHING_GIVEN_UP: GivenUp = { streamRecords: 0, validations: 0, deadLetters: 0 };
const HANDLERS = join(import.meta.dirname, '../local-system/handlers-process.ts');

/** The handlers' process, seen from its parent: uploads, settling, its compactions, and a SIGKILL. */
class HandlersProcess {
  /** The end of what it wrote to stderr. */
  stderr = '';
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #waiters = new Map<string, ((message: FromHandlers) => void)[]>();
  #next = 0;

  private constructor(options: HandlersProcessOptions, recorder: RunRecorder) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', HANDLERS, JSON.stringify(options)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    // The stream errors it reports while DynamoDB Local is down are expected: shown only if the test fails.
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    this.#exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.on('message', (message: FromHandlers) => {
      if (message.kind === 'telemetry') recorder.event(message.event);
      const key = 'id' in message ? `${message.kind}:${message.id}` : message.kind;
      const waiting = this.#waiters.get(key) ?? [];
      this.#waiters.delete(key);
      for (const wake of waiting) wake(message);
    });
  }

  static async start(options: HandlersProcessOptions, recorder: RunRecorder): Promise<HandlersProcess> {
    const handlers = new HandlersProcess(options, recorder);
    await Promise.race([
      handlers.#message('ready'),
      handlers.#exited.then(() =>
        Promise.reject(new Error('the handlers process exited before it was ready')),
      ),
    ]);
    return handlers;
  }

  #message(key: string): Promise<FromHandlers> {
    return new Promise((resolve) => this.#waiters.set(key, [...(this.#waiters.get(key) ?? []), resolve]));
  }

  #send(message: ToHandlers): void {
    this.#child.send(message);
  }

  /** The run of the upload, or undefined when it failed or the process died first. */
  async upload(payload: unknown): Promise<CompactionRunKey | undefined> {
    const id = ++this.#next;
    const answer = Promise.race([
      this.#message(`uploaded:${id}`),
      this.#message(`upload-failed:${id}`),
      this.#exited,
    ]);
    this.#send({ kind: 'upload', id, payload });
    const message = await answer;
    return message && message.kind === 'uploaded' ? message.run : undefined;
  }

  /** Resolves at the next compaction's start (a delta read), with the run it compacts when this process stored it. */
  async nextCompaction(): Promise<CompactionRunKey | undefined> {
    const message = await this.#message('compacting');
    if (message.kind !== 'compacting' || !message.receipt) return undefined;
    const runId = message.prefix.split('/')[2] ?? '';
    return { ...message.receipt, runId };
  }

  /** Waits until the stream is drained and no validation is pending; returns what this process gave up on. */
  async settle(timeoutMs: number): Promise<GivenUp> {
    const answer = Promise.race([this.#message('settled'), this.#message('settle-failed')]);
    this.#send({ kind: 'settle', timeoutMs });
    const message = await answer;
    if (message.kind !== 'settled')
      throw new Error(`the handlers did not settle: ${JSON.stringify(message)}`);
    return message.givenUp;
  }

  /** SIGKILL, as a crash or a Lambda environment torn down would end it; resolves once it is gone. */
  async kill(): Promise<void> {
    this.#child.kill('SIGKILL');
    await this.#exited;
  }
}

/** Uploads until the handlers accept it, as a client retries a failed call. */
async function uploadUntilStored(handlers: HandlersProcess, payload: unknown): Promise<CompactionRunKey> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const run = await handlers.upload(payload);
    if (run) return run;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the upload never succeeded');
}

describe('crash recovery on DynamoDB Local', () => {
  it('resumes after the handlers process is killed mid-batch and after DynamoDB Local is killed mid-run, and the invariants hold', async () => {
    const dbPath = await mkdtemp(join(tmpdir(), 'receipt-gate-ddb-'));
    const embeddingsDir = await mkdtemp(join(tmpdir(), 'receipt-gate-embeddings-'));
    const validationQueueDir = await mkdtemp(join(tmpdir(), 'receipt-gate-validations-'));
    const processes: HandlersProcess[] = [];
    let dynamo: DynamoDbLocal | undefined;
    let client: DynamoDBClient | undefined;
    try {
      dynamo = await startDynamoDbLocal({ dbPath });
      const options: HandlersProcessOptions = {
        mode: 'event',
        endpoint: dynamo.endpoint,
        s3Endpoint: inject('s3Endpoint'),
        tableName: `crash-${randomUUID().slice(0, 8)}`,
        deltasBucket: `crash-${randomUUID().slice(0, 8)}`,
        embeddingsDir,
        compactionDelayMs: 1_500,
        validationQueueDir,
        // Lambda backs off between retries of a failing batch; 100 ms apart, the dispatcher's 10 retries would be
        // spent before a killed DynamoDB Local is back on a loaded machine, and its records set aside.
        streamRetryDelayMs: 3_000,
      };
      const recorder = new RunRecorder();
      const started: HandlersProcess[] = [];
      onTestFailed(() => {
        for (const handlers of started) console.error(`handlers process stderr:\n${handlers.stderr}`);
      });
      const start = async () => {
        const handlers = await HandlersProcess.start(options, recorder);
        processes.push(handlers);
        started.push(handlers);
        return handlers;
      };
      const config = localConfig(options, { ...options, embeddingsUri: embeddingsDir });
      client = new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
      });
      const container = createContainer(config, { dynamoClient: client, telemetry: NOOP_TELEMETRY });
      const runs = container.get(TOKENS.CompactionRunRepository);
      const processing = async (key: CompactionRunKey) => {
        const run = await runs.getCompactionRun(key);
        return run?.linesState === 'PROCESSING' || run?.wordsState === 'PROCESSING';
      };
      const uploads = demoUploads(6).map((upload) => upload.payload);

      // 1. The handlers' process dies in the middle of a compaction batch; a new one takes over the stream.
      let handlers = await start();
      const first = uploads.slice(0, 3).map((payload) => handlers.upload(payload));
      const caught = await handlers.nextCompaction();
      await handlers.kill();
      // The kill caught that run's compaction under way: it stays PROCESSING until the stream redelivers its record.
      expect(caught && (await processing(caught))).toBe(true);
      const acknowledged = await Promise.all(first);
      const keys: CompactionRunKey[] = acknowledged.filter((run) => run !== undefined);
      handlers = await start();
      for (const [i, run] of acknowledged.entries()) {
        if (!run) keys.push(await uploadUntilStored(handlers, uploads[i]));
      }
      expect(await handlers.settle(90_000)).toEqual(NOTHING_GIVEN_UP);

      // 2. DynamoDB Local dies in the middle of a compaction and comes back on its port with its data.
      const compacting = handlers.nextCompaction();
      const second = uploads.slice(3).map((payload) => handlers.upload(payload));
      await compacting;
      await dynamo.kill();
      dynamo = await startDynamoDbLocal({ dbPath, port: dynamo.port });
      for (const [i, run] of (await Promise.all(second)).entries()) {
        keys.push(run ?? (await uploadUntilStored(handlers, uploads[3 + i])));
      }
      expect(await handlers.settle(120_000)).toEqual(NOTHING_GIVEN_UP);
      for (const running of processes.splice(0)) await running.kill();

      expect(keys).toHaveLength(6);
      const snapshots = createSnapshotStore(config, NOOP_TELEMETRY);
      try {
        const stores = {
          runs,
          labels: container.get(TOKENS.LabelRepository),
          metadata: container.get(TOKENS.MerchantRecordRepository),
          snapshots,
        };
        const { violations } = await checkInvariants(stores, keys, recorder, NOTHING_GIVEN_UP);
        expect(violations).toEqual([]);
      } finally {
        await snapshots.close();
      }
    } finally {
      for (const running of processes) await running.kill();
      client?.destroy();
      await dynamo?.stop();
      await rm(dbPath, { recursive: true, force: true });
      await rm(embeddingsDir, { recursive: true, force: true });
      await rm(validationQueueDir, { recursive: true, force: true });
    }
  }, 300_000);
});
