import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { GatePolicy, OutcomePolicy, ReceiptAnalyzer, Telemetry } from '@receipt-gate/core';
import type { AnalyzerConfig, AppConfig, RunMode, UploadResult } from '@receipt-gate/lambda';
import {
  COMPACTION_FILTERS,
  COMPACTION_STREAM_SETTINGS,
  createContainer,
  ensureTable,
  LocalDiskEmbeddingDeltaStore,
  LocalDiskEmbeddingSnapshotStore,
  type StreamMappingSettings,
  TOKENS,
  VALIDATION_FILTERS,
  VALIDATION_STREAM_SETTINGS,
} from '@receipt-gate/lambda';
import {
  createLambdaContext,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  StreamPump,
  startDynamoDbLocal,
} from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Container } from 'inversify';
import { SimulatedDeltaLoss } from './simulated-delta-loss.js';

export interface LocalSystemOptions {
  readonly mode: RunMode;
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
  /** Delta prefixes whose deltas cannot be read (the compaction of that collection fails). */
  readonly lostDeltas?: (prefix: string) => boolean;
  /** Deliver every stream batch twice, as at-least-once delivery may. */
  readonly redeliver?: boolean;
  /** The Lambda functions' timeout (the inline validation's budget); default 15 minutes. */
  readonly lambdaTimeoutMs?: number;
}

export interface LocalSystem {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly container: Container;
  readonly snapshots: LocalDiskEmbeddingSnapshotStore;
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
 * The whole flow on one machine: DynamoDB Local (or `endpoint`), the table with its stream, the handlers from the
 * container, and a stream pump with the event source mappings of the deployed system. `stop` undoes all of it,
 * and whatever started before a failure is stopped too.
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
    const stateDir = await mkdtemp(join(tmpdir(), 'receipt-gate-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const snapshots = new LocalDiskEmbeddingSnapshotStore(join(stateDir, 'snapshots'));
    const deltaStore = new LocalDiskEmbeddingDeltaStore(join(stateDir, 'deltas'));
    const config: AppConfig = {
      serviceName: 'receipt-gate-local',
      mode: options.mode,
      store: 'dynamodb',
      tableName,
      region: LOCAL_REGION,
      dynamoEndpoint: endpoint,
      snapshotDir: join(stateDir, 'snapshots'),
      deltaDir: join(stateDir, 'deltas'),
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
    const container = createContainer(config, {
      telemetry: options.telemetry,
      dynamoClient: client,
      snapshots,
      deltas: options.lostDeltas ? new SimulatedDeltaLoss(deltaStore, options.lostDeltas) : deltaStore,
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
        filters: COMPACTION_FILTERS,
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

/**
 * The deployed mapping's settings that the pump emulates: batch size and retries (it always honours the handlers'
 * `batchItemFailures`, as ReportBatchItemFailures does). Parallelization, batching window, record age and bisection
 * are not emulated yet.
 */
function pumpSettings(settings: StreamMappingSettings) {
  return { batchSize: settings.batchSize, maximumRetryAttempts: settings.maximumRetryAttempts };
}
