import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type {
  EmbeddingDeltaStore,
  EmbeddingSnapshotStore,
  GatePolicy,
  OutcomePolicy,
  ReceiptAnalyzer,
  Telemetry,
} from '@receipt-gate/core';
import type {
  AnalyzerConfig,
  AppConfig,
  DeadLetter,
  LanceDbEmbeddingSnapshotStore,
  MerchantRecordFormat,
  RunMode,
  S3EmbeddingDeltaStore,
  UploadResult,
} from '@receipt-gate/lambda';
import {
  createContainer,
  createDeltaStore,
  createSnapshotStore,
  DISPATCHER_STREAM_SETTINGS,
  dispatcherFilters,
  ensureTable,
  type StreamMappingSettings,
  TOKENS,
  VALIDATION_INVOKE_SETTINGS,
  validationRequestOf,
} from '@receipt-gate/lambda';
import {
  type AsyncFailureRecord,
  AsyncInvoker,
  createLambdaContext,
  type GivenUp,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  LOCAL_S3_CREDENTIALS,
  type OnFailure,
  onFailureFile,
  type StreamHandler,
  StreamPump,
  startDynamoDbLocal,
  startLocalS3,
} from '@receipt-gate/local-runtime';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import type { Container } from 'inversify';
import { RequestCounts } from './request-counts.js';
import { type DeltaRef, SimulatedDeltaLoss } from './simulated-delta-loss.js';
import { ValidationQueue } from './validation-queue.js';

export interface LocalSystemOptions {
  readonly mode: RunMode;
  /** Where merchant records live: RECEIPT_PLACE (default) or the legacy RECEIPT_METADATA. */
  readonly merchantRecord?: MerchantRecordFormat;
  /** An existing DynamoDB (Local) to use instead of starting one. */
  readonly endpoint?: string;
  readonly tableName?: string;
  readonly compactionDelayMs: number;
  readonly gatePolicy?: Partial<GatePolicy>;
  readonly outcomePolicy?: Partial<OutcomePolicy>;
  readonly telemetry: Telemetry;
  readonly analyzer?: ReceiptAnalyzer;
  /** Which analyzer the container builds when none is given (default: the offline analyzer, no tracing). */
  readonly analyzerConfig?: AnalyzerConfig;
  /** An existing S3-compatible endpoint for the deltas (a bucket of its own is created) instead of starting one. */
  readonly s3Endpoint?: string;
  /** The deltas bucket to use (created on `s3Endpoint` if missing) instead of a new one: a restart finds its deltas. */
  readonly deltasBucket?: string;
  /** The directory of the snapshot tables, kept on stop, instead of a temporary one: a restart finds its snapshots. */
  readonly embeddingsDir?: string;
  /** Deltas that cannot be read (the compaction of that collection fails). */
  readonly lostDeltas?: (delta: DeltaRef) => boolean;
  /** Wrap the embedding stores the handlers use (the bench counts and times their calls). */
  readonly wrapDeltas?: (store: EmbeddingDeltaStore) => EmbeddingDeltaStore;
  readonly wrapSnapshots?: (store: EmbeddingSnapshotStore) => EmbeddingSnapshotStore;
  /** Compact a snapshot table after this many writes to it; default as deployed (100). */
  readonly optimizeEvery?: number;
  /** Deliver every stream batch twice, as at-least-once delivery may. */
  readonly redeliver?: boolean;
  /** The Lambda functions' timeout (the inline validation's budget); default 15 minutes. */
  readonly lambdaTimeoutMs?: number;
  /** Wraps the dispatcher as the pump invokes it (a test observes the batches it gets). */
  readonly wrapDispatcher?: (handler: StreamHandler) => StreamHandler;
  /** The waits before an asynchronous validation's retries (Lambda: about 1 and 2 minutes); default 1 s, 2 s. */
  readonly validationRetryDelaysMs?: readonly number[];
  /** Also append the mapping's on-failure records to this file (`onFailureFile`), as a redrive reads them. */
  readonly onFailureFile?: string;
  /**
   * `event` mode: keep the validation's accepted invocations in this directory until they are done, as Lambda's
   * queue keeps them, and run those a predecessor left: a system restarted after a crash loses none.
   */
  readonly validationQueueDir?: string;
  /** The pump's pause before re-delivering a failed batch (default 100 ms): longer rides out a database restart. */
  readonly streamRetryDelayMs?: number;
  /**
   * Concurrent batches per shard for the dispatcher instead of the deployed number: a test of per-item order across
   * concurrent lanes. The demo and the bench run the deployed settings.
   */
  readonly parallelizationFactor?: number;
}

export interface LocalSystem {
  readonly client: DynamoDBClient;
  /** The DynamoDB endpoint. */
  readonly endpoint: string;
  readonly tableName: string;
  readonly container: Container;
  /** The snapshot tables (LanceDB in a temporary directory), unwrapped. */
  readonly snapshots: LanceDbEmbeddingSnapshotStore;
  /** The delta store (the local S3 server's bucket), unwrapped. */
  readonly deltas: S3EmbeddingDeltaStore;
  /** Where the snapshot tables are (`EMBEDDINGS_URI`). */
  readonly embeddingsUri: string;
  /** The deltas' bucket, on the S3 endpoint. */
  readonly deltasBucket: string;
  readonly s3Endpoint: string;
  /** Stream records the pump gave up on (the dispatcher mapping's on-failure destination). */
  readonly unprocessed: DynamoDBRecord[];
  /** Records the dispatcher could never apply (its dead-letter store). */
  readonly deadLetters: DeadLetter[];
  /** `event` mode: validations given up on (the on-failure destination of their asynchronous invocation). */
  readonly validationFailures: AsyncFailureRecord[];
  /** `event` mode: the validation's asynchronous invocations, as Lambda would run them. */
  readonly validations: AsyncInvoker | undefined;
  /** Everything set aside so far, as `checkInvariants` takes it. */
  givenUp(): GivenUp;
  /** DynamoDB requests made by the handlers (the main client). */
  readonly requests: RequestCounts;
  /** Stream requests made by the pump (its streams client). */
  readonly streamRequests: RequestCounts;
  readonly pump: StreamPump;
  /** Invokes the upload handler as Lambda would. */
  upload(payload: unknown): Promise<UploadResult>;
  /** Resolves once the stream is caught up, no handler runs and no validation is pending. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole flow on one machine, on the code paths production uses: DynamoDB Local (or `endpoint`), the table
 * with its stream, the embedding deltas in a bucket of a local S3 server (or `s3Endpoint`), the snapshot tables on
 * LanceDB in a temporary directory, the handlers from the container, and the deployed topology: one stream
 * mapping (a pump with the dispatcher's settings and filters) feeding the dispatcher, which in `event` mode hands
 * settled runs to the validation through an asynchronous invocation with Lambda's retries and on-failure record.
 * `stop` undoes all of it (servers stopped, files deleted), and whatever started before a failure is stopped too.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  try {
    const local = options.endpoint ? undefined : await startDynamoDbLocal();
    if (local) cleanups.push(() => local.stop());
    const endpoint = options.endpoint ?? local?.endpoint ?? '';
    const clientConfig = { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
    const client = new DynamoDBClient(clientConfig);
    const streamsClient = new DynamoDBStreamsClient(clientConfig);
    cleanups.push(async () => {
      client.destroy();
      streamsClient.destroy();
    });
    const requests = new RequestCounts();
    requests.attach(client);
    const streamRequests = new RequestCounts();
    streamRequests.attach(streamsClient);

    const tableName = options.tableName ?? `receipt-gate-${Date.now()}`;
    const streamArn = await ensureTable(client, tableName);
    const deltasBucket = options.deltasBucket ?? `receipt-gate-deltas-${randomUUID().slice(0, 8)}`;
    const s3 = options.s3Endpoint ? undefined : await startLocalS3({ buckets: [deltasBucket] });
    if (s3) cleanups.push(() => s3.stop());
    const s3Endpoint = options.s3Endpoint ?? s3?.endpoint ?? '';
    if (options.s3Endpoint) await createBucket(s3Endpoint, deltasBucket);
    const stateDir = options.embeddingsDir ?? (await mkdtemp(join(tmpdir(), 'receipt-gate-')));
    if (!options.embeddingsDir) cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const config = localConfig(options, {
      tableName,
      endpoint,
      deltasBucket,
      s3Endpoint,
      embeddingsUri: options.embeddingsDir ?? join(stateDir, 'embeddings'),
    });
    const deltas = createDeltaStore(config, LOCAL_S3_CREDENTIALS);
    cleanups.push(async () => deltas.close());
    const snapshots = createSnapshotStore(config, options.telemetry);
    cleanups.push(() => snapshots.close());
    const lossy = options.lostDeltas ? new SimulatedDeltaLoss(deltas, options.lostDeltas) : deltas;
    const timeoutMs = options.lambdaTimeoutMs ?? 900_000;
    const deadLetters: DeadLetter[] = [];
    const validationFailures: AsyncFailureRecord[] = [];
    // `event` mode: the validation function, invoked asynchronously by the dispatcher (its handler is bound below).
    let validationHandler: ((event: unknown, context: Context) => Promise<unknown>) | undefined;
    const queue =
      options.mode === 'event' && options.validationQueueDir
        ? new ValidationQueue(options.validationQueueDir)
        : undefined;
    const validations =
      options.mode === 'event'
        ? new AsyncInvoker({
            name: 'validation',
            handler: async (event, context) => {
              if (!validationHandler) throw new Error('the validation handler is not bound yet');
              const result = await validationHandler(event, context);
              await queue?.done(event);
              return result;
            },
            ...VALIDATION_INVOKE_SETTINGS,
            ...(options.validationRetryDelaysMs && { retryDelaysMs: options.validationRetryDelaysMs }),
            timeoutMs,
            region: LOCAL_REGION,
            onFailure: async (record) => {
              validationFailures.push(record);
              await queue?.done(record.requestPayload);
            },
          })
        : undefined;
    if (validations) cleanups.push(() => validations.stop());
    const container = createContainer(config, {
      telemetry: options.telemetry,
      dynamoClient: client,
      snapshots: options.wrapSnapshots ? options.wrapSnapshots(snapshots) : snapshots,
      deltas: options.wrapDeltas ? options.wrapDeltas(lossy) : lossy,
      ...(options.analyzer && { analyzer: options.analyzer }),
      deadLetters: { put: async (letters) => void deadLetters.push(...letters) },
      ...(validations && {
        validationDispatch: {
          dispatch: async (run) => {
            await queue?.accept(validationRequestOf(run));
            validations.invoke(validationRequestOf(run));
          },
        },
      }),
    });
    if (validations) {
      validationHandler = container.get(TOKENS.ValidationHandler);
      for (const payload of (await queue?.left()) ?? []) validations.invoke(payload);
    }

    const unprocessed: DynamoDBRecord[] = [];
    const dispatcher = container.get(TOKENS.DispatcherHandler) as StreamHandler;
    const toFile = options.onFailureFile ? onFailureFile(options.onFailureFile) : undefined;
    const onFailure: OnFailure = async (records, error, info) => {
      unprocessed.push(...records);
      await toFile?.(records, error, info);
    };
    const pumpOptions = {
      streamsClient,
      streamArn,
      region: LOCAL_REGION,
      ...(options.streamRetryDelayMs !== undefined && { retryDelayMs: options.streamRetryDelayMs }),
    };
    const pump = new StreamPump(pumpOptions, [
      {
        ...pumpSettings({
          ...DISPATCHER_STREAM_SETTINGS,
          ...(options.parallelizationFactor !== undefined && {
            parallelizationFactor: options.parallelizationFactor,
          }),
        }),
        name: 'dispatcher',
        startingPosition: 'TRIM_HORIZON',
        timeoutMs,
        redeliver: options.redeliver ?? false,
        handler: options.wrapDispatcher ? options.wrapDispatcher(dispatcher) : dispatcher,
        filters: dispatcherFilters(container.get(TOKENS.MerchantRecordCodec).type, options.mode === 'event'),
        onFailure,
      },
    ]);
    await pump.start();
    cleanups.push(() => pump.stop());

    const uploadHandler = container.get(TOKENS.UploadHandler);
    return {
      client,
      endpoint,
      tableName,
      container,
      snapshots,
      deltas,
      embeddingsUri: config.embeddings.uri,
      deltasBucket,
      s3Endpoint,
      unprocessed,
      deadLetters,
      validationFailures,
      validations,
      givenUp: () => ({
        streamRecords: unprocessed.length,
        validations: validationFailures.length,
        deadLetters: deadLetters.length,
      }),
      requests,
      streamRequests,
      pump,
      upload: (payload) =>
        uploadHandler(
          payload,
          createLambdaContext({
            functionName: 'upload',
            region: LOCAL_REGION,
            accountId: '000000000000',
            timeoutMs,
          }),
        ),
      settle: (settleTimeoutMs = 120_000) => settle(pump, validations, settleTimeoutMs),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The configuration of the local system's functions: the deployed defaults on the local endpoints. */
export function localConfig(
  options: Pick<
    LocalSystemOptions,
    | 'mode'
    | 'merchantRecord'
    | 'compactionDelayMs'
    | 'gatePolicy'
    | 'outcomePolicy'
    | 'analyzerConfig'
    | 'optimizeEvery'
  >,
  where: {
    readonly tableName: string;
    readonly endpoint: string;
    readonly deltasBucket: string;
    readonly s3Endpoint: string;
    readonly embeddingsUri: string;
  },
): AppConfig {
  return {
    serviceName: 'receipt-gate-local',
    mode: options.mode,
    store: 'dynamodb',
    tableName: where.tableName,
    merchantRecord: options.merchantRecord ?? 'place',
    region: LOCAL_REGION,
    dynamoEndpoint: where.endpoint,
    embeddings: {
      uri: where.embeddingsUri,
      deltasBucket: where.deltasBucket,
      s3Endpoint: where.s3Endpoint,
      s3MaxAttempts: 4,
      embedder: 'hashing',
      model: 'nomic-embed-text',
      dimensions: 256,
      optimizeEvery: options.optimizeEvery ?? 100,
      keepVersionsMs: 3_600_000,
    },
    compactionDelayMs: options.compactionDelayMs,
    gatePolicy: options.gatePolicy ?? {},
    outcomePolicy: options.outcomePolicy ?? {},
    inlineReserveMs: 10_000,
    analyzer: options.analyzerConfig ?? {
      kind: 'offline',
      fallback: 'offline',
      tracing: { enabled: false },
    },
  };
}

/**
 * Until the stream is caught up, no handler runs and no validation is pending, all at once: a validation writes
 * labels (stream records for the dispatcher), and the dispatcher hands settled runs to the validation.
 */
async function settle(
  pump: StreamPump,
  validations: AsyncInvoker | undefined,
  timeoutMs: number,
): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  const left = () => Math.max(1, giveUpAt - Date.now());
  for (;;) {
    await validations?.drain(left());
    const before = validations?.activity ?? 0;
    await pump.drain({ idleMs: 500, timeoutMs: left() });
    if (!validations || (validations.idle && validations.activity === before)) return;
  }
}

/** Creates the bucket unless it exists (a restarted system uses its predecessor's). */
async function createBucket(endpoint: string, bucket: string): Promise<void> {
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: LOCAL_REGION,
    credentials: LOCAL_S3_CREDENTIALS,
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!(error instanceof BucketAlreadyOwnedByYou || error instanceof BucketAlreadyExists)) throw error;
  } finally {
    client.destroy();
  }
}

/**
 * The deployed mapping's settings, as the pump takes them (it always honours the handlers' `batchItemFailures`, as
 * ReportBatchItemFailures does).
 */
function pumpSettings(settings: StreamMappingSettings) {
  const { reportBatchItemFailures: _alwaysOn, ...emulated } = settings;
  return emulated;
}
