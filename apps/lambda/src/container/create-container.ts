import 'reflect-metadata';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type Clock,
  type CompactionGate,
  type CompactionRunRepository,
  type Embedder,
  type EmbeddingDeltaStore,
  type EmbeddingSnapshotStore,
  FallbackReceiptAnalyzer,
  HashingEmbedder,
  type LabelRepository,
  OfflineReceiptAnalyzer,
  PollingCompactionGate,
  type ReceiptAnalyzer,
  type ReceiptMetadataRepository,
  type ReceiptRepository,
  type Telemetry,
  validateReceipt,
} from '@receipt-gate/core';
import {
  InMemoryCompactionRunRepository,
  InMemoryEmbeddingDeltaStore,
  InMemoryEmbeddingSnapshotStore,
  InMemoryLabelRepository,
  InMemoryReceiptMetadataRepository,
  InMemoryReceiptRepository,
} from '@receipt-gate/core/testing';
import { Container, type ServiceIdentifier } from 'inversify';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { DynamoCompactionRunRepository } from '../adapters/dynamodb/dynamo-compaction-run-repository.js';
import { DynamoLabelRepository } from '../adapters/dynamodb/dynamo-label-repository.js';
import { DynamoReceiptMetadataRepository } from '../adapters/dynamodb/dynamo-receipt-metadata-repository.js';
import { DynamoReceiptRepository } from '../adapters/dynamodb/dynamo-receipt-repository.js';
import { LazyLlmAnalyzer } from '../adapters/llm/lazy-llm-analyzer.js';
import { LocalDiskEmbeddingDeltaStore } from '../adapters/snapshots/local-disk-embedding-delta-store.js';
import { LocalDiskEmbeddingSnapshotStore } from '../adapters/snapshots/local-disk-embedding-snapshot-store.js';
import { METRICS_NAMESPACE, PowertoolsTelemetry } from '../adapters/telemetry/powertools-telemetry.js';
import type { AnalyzerConfig, AppConfig } from '../config/app-config.js';
import { createCompactionHandler } from '../handlers/compaction-handler.js';
import { createUploadHandler } from '../handlers/upload-handler.js';
import type { ValidateFn } from '../handlers/validate-fn.js';
import { createValidationHandler } from '../handlers/validation-handler.js';
import { TOKENS } from './tokens.js';

/** Bindings to use instead of the configured ones (the demo's console telemetry, a test's fake). */
export interface ContainerOverrides {
  readonly clock?: Clock;
  readonly telemetry?: Telemetry;
  readonly dynamoClient?: DynamoDBClient;
  readonly analyzer?: ReceiptAnalyzer;
  readonly deltas?: EmbeddingDeltaStore;
  readonly snapshots?: EmbeddingSnapshotStore;
}

/**
 * The composition root: every port bound to its DynamoDB / local adapter, or to the in-memory fakes with
 * `store: 'memory'`. Core classes are built by factories with explicit token lists, so core needs no decorators
 * and nothing depends on emitted type metadata.
 */
export function createContainer(config: AppConfig, overrides: ContainerOverrides = {}): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const constant = <T>(id: ServiceIdentifier<T>, value: T) => container.bind<T>(id).toConstantValue(value);

  constant(TOKENS.Config, config);
  constant(TOKENS.Clock, overrides.clock ?? new SystemClock());
  const { telemetry, flush: flushTelemetry } = makeTelemetry(config, overrides.telemetry);
  const analysis = overrides.analyzer
    ? { analyzer: overrides.analyzer, flush: async () => {} }
    : makeAnalyzer(config.analyzer, telemetry);
  constant(TOKENS.Telemetry, telemetry);
  constant(TOKENS.ReceiptAnalyzer, analysis.analyzer);
  constant(TOKENS.Flush, async () => {
    await Promise.all([flushTelemetry(), analysis.flush()]);
  });
  bindStores(container, config, overrides);
  constant(TOKENS.Embedder, new HashingEmbedder());

  container
    .bind(TOKENS.CompactionGate)
    .toResolvedValue(
      (runs: CompactionRunRepository, clock: Clock, telemetry: Telemetry): CompactionGate =>
        new PollingCompactionGate({ runs, clock, telemetry }, config.gatePolicy),
      [TOKENS.CompactionRunRepository, TOKENS.Clock, TOKENS.Telemetry],
    );
  container
    .bind(TOKENS.Validate)
    .toResolvedValue(
      (
        gate: CompactionGate,
        analyzer: ReceiptAnalyzer,
        receipts: ReceiptRepository,
        metadata: ReceiptMetadataRepository,
        labels: LabelRepository,
        clock: Clock,
        telemetry: Telemetry,
      ) =>
        (request) =>
          validateReceipt(
            { gate, analyzer, receipts, metadata, labels, clock, telemetry, policy: config.outcomePolicy },
            request,
          ),
      [
        TOKENS.CompactionGate,
        TOKENS.ReceiptAnalyzer,
        TOKENS.ReceiptRepository,
        TOKENS.ReceiptMetadataRepository,
        TOKENS.LabelRepository,
        TOKENS.Clock,
        TOKENS.Telemetry,
      ],
    );
  bindHandlers(container, config);
  return container;
}

/** The configured telemetry (Powertools logs and metrics, or an override) and how to flush it. */
function makeTelemetry(config: AppConfig, telemetry: Telemetry | undefined) {
  if (telemetry) return { telemetry, flush: async () => {} };
  const logger = new Logger({ serviceName: config.serviceName });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: config.serviceName });
  return {
    telemetry: new PowertoolsTelemetry(logger, metrics),
    flush: async () => {
      metrics.publishStoredMetrics();
    },
  };
}

/**
 * The offline analyzer, or the LLM analyzer (loaded on first use) with the configured fallback; and what the LLM
 * side must flush (traces) before a handler returns.
 */
function makeAnalyzer(config: AnalyzerConfig, telemetry: Telemetry) {
  const offline = new OfflineReceiptAnalyzer();
  if (config.kind === 'offline' || !config.ollama) return { analyzer: offline, flush: async () => {} };
  const llm = new LazyLlmAnalyzer(config.ollama, config.tracing, telemetry);
  const analyzer = config.fallback === 'offline' ? new FallbackReceiptAnalyzer(llm, offline, telemetry) : llm;
  return { analyzer, flush: () => llm.flush() };
}

function bindStores(container: Container, config: AppConfig, overrides: ContainerOverrides) {
  const bind = <T>(id: ServiceIdentifier<T>, make: () => T) => container.bind<T>(id).toDynamicValue(make);
  if (config.store === 'memory') {
    const runs = new InMemoryCompactionRunRepository();
    container.bind(TOKENS.CompactionRunRepository).toConstantValue(runs);
    bind(TOKENS.LabelRepository, () => new InMemoryLabelRepository({ runs }));
    bind(TOKENS.ReceiptRepository, () => new InMemoryReceiptRepository());
    bind(TOKENS.ReceiptMetadataRepository, () => new InMemoryReceiptMetadataRepository());
    bind(TOKENS.EmbeddingDeltaStore, () => overrides.deltas ?? new InMemoryEmbeddingDeltaStore());
    bind(TOKENS.EmbeddingSnapshotStore, () => overrides.snapshots ?? new InMemoryEmbeddingSnapshotStore());
    return;
  }
  const client =
    overrides.dynamoClient ??
    new DynamoDBClient({
      region: config.region,
      ...(config.dynamoEndpoint && { endpoint: config.dynamoEndpoint }),
    });
  const table = { client, tableName: config.tableName };
  bind(TOKENS.CompactionRunRepository, () => new DynamoCompactionRunRepository(table));
  container
    .bind(TOKENS.LabelRepository)
    .toResolvedValue((clock: Clock) => new DynamoLabelRepository({ ...table, clock }), [TOKENS.Clock]);
  container
    .bind(TOKENS.ReceiptRepository)
    .toResolvedValue((clock: Clock) => new DynamoReceiptRepository({ ...table, clock }), [TOKENS.Clock]);
  bind(TOKENS.ReceiptMetadataRepository, () => new DynamoReceiptMetadataRepository(table));
  bind(
    TOKENS.EmbeddingDeltaStore,
    () => overrides.deltas ?? new LocalDiskEmbeddingDeltaStore(config.deltaDir),
  );
  bind(
    TOKENS.EmbeddingSnapshotStore,
    () => overrides.snapshots ?? new LocalDiskEmbeddingSnapshotStore(config.snapshotDir),
  );
}

function bindHandlers(container: Container, config: AppConfig) {
  container.bind(TOKENS.UploadHandler).toResolvedValue(
    (
      receipts: ReceiptRepository,
      metadata: ReceiptMetadataRepository,
      runs: CompactionRunRepository,
      deltas: EmbeddingDeltaStore,
      embedder: Embedder,
      clock: Clock,
      telemetry: Telemetry,
      validate: ValidateFn,
      flush: () => Promise<void>,
    ) =>
      createUploadHandler({
        mode: config.mode,
        inlineReserveMs: config.inlineReserveMs,
        receipts,
        metadata,
        runs,
        deltas,
        embedder,
        clock,
        telemetry,
        validate,
        flush,
      }),
    [
      TOKENS.ReceiptRepository,
      TOKENS.ReceiptMetadataRepository,
      TOKENS.CompactionRunRepository,
      TOKENS.EmbeddingDeltaStore,
      TOKENS.Embedder,
      TOKENS.Clock,
      TOKENS.Telemetry,
      TOKENS.Validate,
      TOKENS.Flush,
    ],
  );
  container.bind(TOKENS.CompactionHandler).toResolvedValue(
    (
      runs: CompactionRunRepository,
      deltas: EmbeddingDeltaStore,
      snapshots: EmbeddingSnapshotStore,
      labels: LabelRepository,
      clock: Clock,
      telemetry: Telemetry,
      flush: () => Promise<void>,
    ) =>
      createCompactionHandler({
        runs,
        deltas,
        snapshots,
        labels,
        clock,
        telemetry,
        flush,
        compactionDelayMs: config.compactionDelayMs,
      }),
    [
      TOKENS.CompactionRunRepository,
      TOKENS.EmbeddingDeltaStore,
      TOKENS.EmbeddingSnapshotStore,
      TOKENS.LabelRepository,
      TOKENS.Clock,
      TOKENS.Telemetry,
      TOKENS.Flush,
    ],
  );
  container
    .bind(TOKENS.ValidationHandler)
    .toResolvedValue(
      (validate: ValidateFn, clock: Clock, flush: () => Promise<void>) =>
        createValidationHandler({ validate, clock, flush, reserveMs: config.inlineReserveMs }),
      [TOKENS.Validate, TOKENS.Clock, TOKENS.Flush],
    );
}
