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
  LanceDbEmbeddingSnapshotStore,
  MerchantRecordFormat,
  RunMode,
  S3EmbeddingDeltaStore,
  UploadResult,
} from '@receipt-gate/lambda';
import {
  COMPACTION_STREAM_SETTINGS,
  compactionFilters,
  createContainer,
  createDeltaStore,
  createSnapshotStore,
  ensureTable,
  type StreamMappingSettings,
  TOKENS,
  VALIDATION_FILTERS,
  VALIDATION_STREAM_SETTINGS,
} from '@receipt-gate/lambda';
import {
  createLambdaContext,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  LOCAL_S3_CREDENTIALS,
  StreamPump,
  startDynamoDbLocal,
  startLocalS3,
} from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Container } from 'inversify';
import { type DeltaRef, SimulatedDeltaLoss } from './simulated-delta-loss.js';

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
}

export interface LocalSystem {
  readonly client: DynamoDBClient;
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
  /** Stream records the pump gave up on (the on-failure destination). */
  readonly unprocessed: DynamoDBRecord[];
  /** DynamoDB requests made by the handlers, by operation. */
  readonly requests: Map<string, number>;
  readonly pump: StreamPump;
  /** Invokes the upload handler as Lambda would. */
  upload(payload: unknown): Promise<UploadResult>;
  /** Resolves once the stream is caught up and no handler runs. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole flow on one machine, on the code paths production uses: DynamoDB Local (or `endpoint`), the table
 * with its stream, the embedding deltas in a bucket of a local S3 server (or `s3Endpoint`), the snapshot tables on
 * LanceDB in a temporary directory, the handlers from the container, and a stream pump with the event source
 * mappings of the deployed system. `stop` undoes all of it (servers stopped, files deleted), and whatever started
 * before a failure is stopped too.
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
    const requests = new Map<string, number>();
    client.middlewareStack.add(
      (next, context) => (args) => {
        requests.set(
          context.commandName ?? 'unknown',
          (requests.get(context.commandName ?? 'unknown') ?? 0) + 1,
        );
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );

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
    const container = createContainer(config, {
      telemetry: options.telemetry,
      dynamoClient: client,
      snapshots: options.wrapSnapshots ? options.wrapSnapshots(snapshots) : snapshots,
      deltas: options.wrapDeltas ? options.wrapDeltas(lossy) : lossy,
      ...(options.analyzer && { analyzer: options.analyzer }),
    });

    const unprocessed: DynamoDBRecord[] = [];
    const timeoutMs = options.lambdaTimeoutMs ?? 900_000;
    const subscription = {
      startingPosition: 'TRIM_HORIZON' as const,
      timeoutMs,
      redeliver: options.redeliver ?? false,
    };
    const onFailure = (records: DynamoDBRecord[]) => {
      unprocessed.push(...records);
    };
    const pump = new StreamPump({ streamsClient, streamArn, region: LOCAL_REGION }, [
      {
        ...subscription,
        ...pumpSettings(COMPACTION_STREAM_SETTINGS),
        name: 'compaction',
        handler: container.get(TOKENS.CompactionHandler),
        filters: compactionFilters(container.get(TOKENS.MerchantRecordCodec).type),
        onFailure,
      },
      ...(options.mode === 'event'
        ? [
            {
              ...subscription,
              ...pumpSettings(VALIDATION_STREAM_SETTINGS),
              name: 'validation',
              handler: container.get(TOKENS.ValidationHandler),
              filters: VALIDATION_FILTERS,
              onFailure,
            },
          ]
        : []),
    ]);
    await pump.start();
    cleanups.push(() => pump.stop());

    const uploadHandler = container.get(TOKENS.UploadHandler);
    return {
      client,
      tableName,
      container,
      snapshots,
      deltas,
      embeddingsUri: config.embeddings.uri,
      deltasBucket,
      s3Endpoint,
      unprocessed,
      requests,
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
      settle: (settleTimeoutMs = 120_000) => pump.drain({ idleMs: 500, timeoutMs: settleTimeoutMs }),
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
