import { loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { type GateOutcome, type GatePolicy, type Telemetry, TransientStoreError } from '@receipt-gate/core';
import type { RunMode, UploadResult } from '@receipt-gate/lambda';
import { TOKENS } from '@receipt-gate/lambda';
import type { AsyncInvokerStats, SubscriptionStats } from '@receipt-gate/local-runtime';
import {
  checkInvariants,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  LOCAL_S3_CREDENTIALS,
  localStreamsClient,
  RunRecorder,
  startDynamoDbLocal,
} from '@receipt-gate/local-runtime';
import { demoUploads } from '../src/demo/demo-uploads.js';
import { compactionInterval, mostOverlapping } from '../src/demo/overlap.js';
import { startLocalSystem } from '../src/local-system/local-system.js';
import { countTable, scanTable } from '../src/local-system/scan-table.js';
import { diskUsage } from './disk-usage.js';
import { processCpuMs } from './process-cpu.js';
import { type OperationStats, StoreMeter } from './store-meter.js';
import { measureWriteCeiling, type WriteCeiling } from './write-ceiling.js';

export const GATE_OUTCOMES: readonly GateOutcome[] = [
  'completed',
  'failed',
  'timed_out',
  'not_found',
  'aborted',
];

const UPLOAD_ATTEMPTS = 5;

export interface ModeOptions {
  readonly mode: RunMode;
  readonly receipts: number;
  readonly compactionDelayMs: number;
  readonly gatePolicy: GatePolicy;
  readonly settleTimeoutMs: number;
  /** Receipts of an unmeasured flow run first on the same DynamoDB Local and process, so neither is measured cold. */
  readonly warmupReceipts: number;
}

export interface ModeResult {
  readonly mode: RunMode;
  readonly receipts: number;
  /** From the first upload to `settle()` returning. */
  readonly wallMs: number;
  /** When the last upload returned (in `inline` mode, after its validation), from the first upload. */
  readonly uploadsReturnedMs: number;
  /** When each receipt's (last) validation completed, from the first upload. */
  readonly validatedMs: readonly number[];
  /** Commands the handlers sent through the main client, by operation. */
  readonly tableRequests: ReadonlyMap<string, number>;
  /** Table requests that reached DynamoDB Local: the commands above plus the SDK's retries of them. */
  readonly tableRequestsOnWire: number;
  /** Requests of the pump's streams client, by operation. */
  readonly streamRequests: ReadonlyMap<string, number>;
  /** Actions (puts, deletes, condition checks) of the handlers' TransactWriteItems commands. */
  readonly transactionActions: number;
  /** Reads of each receipt's gate (of its last wait). */
  readonly gateReads: readonly number[];
  readonly outcomes: Readonly<Record<GateOutcome, number>>;
  readonly validations: number;
  readonly labelsWritten: number;
  readonly metadataCorrections: number;
  /** From each run's creation until its last collection finished: the merge plus the wait in the stream. */
  readonly compactionMs: readonly number[];
  /** From each run's compaction finishing until its receipt's validation completed. */
  readonly releaseMs: readonly number[];
  /** CPU time of this process (handlers, pump, S3 server; not DynamoDB Local) over the measured window. */
  readonly cpuMs: number;
  /** CPU time of the DynamoDB Local JVM over the measured window; undefined where the OS does not tell. */
  readonly databaseCpuMs: number | undefined;
  /** The machine's 1-minute load average when the mode started: others may share it. */
  readonly loadAverage: number;
  readonly pump: Readonly<Record<string, SubscriptionStats>>;
  /** Stream records the pump gave up on. */
  readonly unprocessed: number;
  /** Records the dispatcher dead-lettered. */
  readonly deadLetters: number;
  /** Uploads tried again after a transient failure (DynamoDB Local's lock timeouts under the burst). */
  readonly uploadRetries: number;
  /** `event` mode: the validations' asynchronous invocations (attempts, retries, failures, concurrency). */
  readonly validationInvocations: AsyncInvokerStats | undefined;
  /** Label and merchant records acknowledged for receipts not merged yet (carried by their merge). */
  readonly deferred: number;
  /** Item writes of the flow: the items the measured receipts added to the table, plus every UpdateItem. */
  readonly itemWrites: number;
  /** The DynamoDB Local write ceiling, measured on a fresh instance right after the flow. */
  readonly ceiling: WriteCeiling;
  /** The most compactions (first collection started to last finished) under way at one time. */
  readonly overlappingMerges: number;
  readonly violations: readonly string[];
  readonly stores: StoreFigures;
}

/** What the embedding stores did and hold after the mode's run. */
export interface StoreFigures {
  /** Calls the handlers made to the stores, by operation (`snapshots.patch`, `deltas.putDelta`, ...). */
  readonly operations: ReadonlyMap<string, OperationStats>;
  /** Versions of the lines and words tables when the flow settled, and after `optimize()` (pruning all older). */
  readonly versionsBefore: number;
  readonly versionsAfter: number;
  /** How long that `optimize()` of both tables took. */
  readonly optimizeMs: number;
  /** Bytes of the LanceDB directory before and after `optimize()`. */
  readonly tableBytesBefore: number;
  readonly tableBytesAfter: number;
  /** Bytes of the delta objects in the bucket. */
  readonly deltaBytes: number;
  readonly deltaObjects: number;
}

const receiptKey = (receipt: { imageId: string; receiptId: number }) =>
  `${receipt.imageId}/${receipt.receiptId}`;
const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

/**
 * One mode's whole flow on its own DynamoDB Local, table, stream and handlers (a fresh JVM per mode, so neither
 * runs on a JIT the other warmed up): uploads every receipt at once, as a burst of Lambda invocations would,
 * waits until the stream is caught up, then checks the invariants. Only requests made between the first upload
 * and `settle()` returning are counted, not the table's creation or the checks.
 */
export async function runMode(options: ModeOptions): Promise<ModeResult> {
  // A heap for the whole load: every item and stream record of the run stays in memory.
  const local = await startDynamoDbLocal({ maxHeapMb: 2048 });
  try {
    const { tableName, ...result } = await measure(options, local.endpoint, local.pid);
    const items = await withClient(local.endpoint, (client) => scanTable(client, tableName));
    await local.stop();
    // On a DynamoDB Local of its own: the flow's instance has slowed under the items and stream records it holds
    // (every one stays in memory), and the ceiling is what the machine can do, not what is left of it.
    const fresh = await startDynamoDbLocal({ maxHeapMb: 2048 });
    try {
      return {
        ...result,
        ceiling: await withClient(fresh.endpoint, async (client) => {
          const streams = localStreamsClient(fresh.endpoint);
          try {
            return await measureWriteCeiling(client, items, { streams, databasePid: fresh.pid });
          } finally {
            streams.destroy();
          }
        }),
      };
    } finally {
      await fresh.stop();
    }
  } finally {
    await local.stop();
  }
}

async function withClient<T>(endpoint: string, use: (client: DynamoDBClient) => Promise<T>): Promise<T> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

async function measure(
  options: ModeOptions,
  endpoint: string,
  databasePid: number,
): Promise<Omit<ModeResult, 'ceiling'> & { tableName: string }> {
  const { mode } = options;
  const validatedAt = new Map<string, number>();
  let deferred = 0;
  const timing: Telemetry = {
    event: (event) => {
      if (event.type === 'validation.completed') validatedAt.set(receiptKey(event.run), Date.now());
    },
    metric: (name, value) => {
      if (name === 'CompactionChangesDeferred') deferred += value;
    },
  };
  const recorder = new RunRecorder(timing);
  const uploads = demoUploads(options.receipts);
  const meter = new StoreMeter();
  const system = await startLocalSystem({
    mode,
    endpoint,
    wrapDeltas: (store) => meter.deltas(store),
    wrapSnapshots: (store) => meter.snapshots(store),
    compactionDelayMs: options.compactionDelayMs,
    gatePolicy: options.gatePolicy,
    telemetry: recorder,
  });
  try {
    if (options.warmupReceipts > 0) {
      // The same flow on other receipts first, unmeasured, in this system: a cold JVM takes writes at about a third
      // of its warm speed (production's DynamoDB has no JIT to warm), and this process loads and compiles the
      // handlers' code. It runs on the measured table because DynamoDB Local slows every write to a table with a
      // stream when another table's stream holds many records.
      await Promise.all(
        demoUploads(options.warmupReceipts, options.receipts).map((upload) => system.upload(upload.payload)),
      );
      await system.settle(options.settleTimeoutMs);
      validatedAt.clear();
      deferred = 0;
      meter.operations.clear();
      system.pump.resetStats();
      system.validations?.resetStats();
    }
    const itemsBefore = options.warmupReceipts > 0 ? await countTable(system.client, system.tableName) : 0;
    const requestsBefore = system.requests.snapshot();
    const streamRequestsBefore = system.streamRequests.snapshot();
    const loadAverage = loadavg()[0] ?? 0;
    const cpuBefore = process.cpuUsage();
    const databaseCpuBefore = processCpuMs(databasePid);
    const startedAt = Date.now();
    let uploadsReturnedAt = startedAt;
    let uploadRetries = 0;
    // A caller retries an upload that failed transiently, as an SDK would: it is idempotent. Under a burst,
    // DynamoDB Local refuses some transactions with a lock timeout that the real service does not have.
    const uploadOnce = async (payload: unknown, attempt = 1): Promise<UploadResult> => {
      try {
        return await system.upload(payload);
      } catch (error) {
        if (!(error instanceof TransientStoreError) || attempt >= UPLOAD_ATTEMPTS) throw error;
        uploadRetries++;
        await delay(200 * attempt);
        return uploadOnce(payload, attempt + 1);
      }
    };
    const results = await Promise.all(
      uploads.map(async (upload) => {
        const result = await uploadOnce(upload.payload);
        uploadsReturnedAt = Math.max(uploadsReturnedAt, Date.now());
        return result;
      }),
    );
    await system.settle(options.settleTimeoutMs);
    const wallMs = Date.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    const databaseCpuAfter = processCpuMs(databasePid);
    const requests = system.requests.since(requestsBefore);
    const streamRequests = system.streamRequests.since(streamRequestsBefore).attempts;
    const pump = system.pump.stats();

    const keys = results.map((result) => result.run);
    const stores = {
      runs: system.container.get(TOKENS.CompactionRunRepository),
      labels: system.container.get(TOKENS.LabelRepository),
      metadata: system.container.get(TOKENS.MerchantRecordRepository),
      snapshots: system.snapshots,
    };
    const { violations, receipts } = await checkInvariants(stores, keys, recorder, system.givenUp());
    const tableItems = (await countTable(system.client, system.tableName)) - itemsBefore;
    const operations = new Map(meter.operations);
    const figures = await storeFigures(system, operations);
    const records = keys.map((key) => recorder.record(key));
    const settled = receipts.flatMap(({ key, run }) => {
      const finishedAt = Math.max(
        Date.parse(run?.linesFinishedAt ?? ''),
        Date.parse(run?.wordsFinishedAt ?? ''),
      );
      return run && !Number.isNaN(finishedAt)
        ? [{ key, createdAt: Date.parse(run.createdAt), finishedAt }]
        : [];
    });
    const outcomes = Object.fromEntries(GATE_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
      GateOutcome,
      number
    >;
    for (const record of records) if (record.gate) outcomes[record.gate.outcome]++;
    return {
      mode,
      receipts: options.receipts,
      wallMs,
      uploadsReturnedMs: uploadsReturnedAt - startedAt,
      validatedMs: [...validatedAt.values()].map((at) => at - startedAt),
      tableRequests: requests.commands,
      tableRequestsOnWire: sum(requests.attempts.values()),
      streamRequests,
      transactionActions: requests.transactionActions,
      gateReads: records.flatMap((record) => (record.gate ? [record.gate.polls] : [])),
      outcomes,
      validations: sum(records.map((record) => record.validations)),
      labelsWritten: sum(records.map((record) => record.labelsWritten)),
      metadataCorrections: records.filter((record) => record.metadataCorrected).length,
      compactionMs: settled.map(({ createdAt, finishedAt }) => finishedAt - createdAt),
      releaseMs: settled.flatMap(({ key, finishedAt }) => {
        const validated = validatedAt.get(receiptKey(key));
        return validated === undefined ? [] : [validated - finishedAt];
      }),
      cpuMs: (cpu.user + cpu.system) / 1000,
      databaseCpuMs:
        databaseCpuBefore === undefined || databaseCpuAfter === undefined
          ? undefined
          : databaseCpuAfter - databaseCpuBefore,
      loadAverage,
      pump,
      unprocessed: system.unprocessed.length,
      deadLetters: system.deadLetters.length,
      uploadRetries,
      validationInvocations: system.validations?.stats(),
      deferred,
      itemWrites: tableItems + (requests.commands.get('UpdateItem') ?? 0),
      tableName: system.tableName,
      overlappingMerges: mostOverlapping(
        receipts.flatMap(({ run }) => {
          const interval = run && compactionInterval(run);
          return interval ? [interval] : [];
        }),
      ),
      violations,
      stores: figures,
    };
  } finally {
    await system.stop();
  }
}

/** The tables' versions and bytes before and after `optimize()`, and the deltas' objects in the bucket. */
async function storeFigures(
  system: Awaited<ReturnType<typeof startLocalSystem>>,
  operations: ReadonlyMap<string, OperationStats>,
): Promise<StoreFigures> {
  const versions = async () =>
    (await system.snapshots.versions('lines')) + (await system.snapshots.versions('words'));
  const versionsBefore = await versions();
  const tableBytesBefore = await diskUsage(system.embeddingsUri);
  const startedAt = performance.now();
  await system.snapshots.optimize({ keepVersionsMs: 0 });
  const optimizeMs = performance.now() - startedAt;
  const client = new S3Client({
    endpoint: system.s3Endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: LOCAL_S3_CREDENTIALS,
  });
  let deltaBytes = 0;
  let deltaObjects = 0;
  try {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: system.deltasBucket, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        deltaBytes += object.Size ?? 0;
        deltaObjects++;
      }
      token = page.NextContinuationToken;
    } while (token);
  } finally {
    client.destroy();
  }
  return {
    operations,
    versionsBefore,
    versionsAfter: await versions(),
    optimizeMs,
    tableBytesBefore,
    tableBytesAfter: await diskUsage(system.embeddingsUri),
    deltaBytes,
    deltaObjects,
  };
}
