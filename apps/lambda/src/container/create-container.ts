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
  type LabelRepository,
  type MerchantRecordRepository,
  OfflineReceiptAnalyzer,
  PollingCompactionGate,
  type ReceiptAnalyzer,
  type ReceiptRepository,
  type Telemetry,
  validateReceipt,
} from '@receipt-gate/core';
import {
  InMemoryCompactionRunRepository,
  InMemoryEmbeddingDeltaStore,
  InMemoryEmbeddingSnapshotStore,
  InMemoryLabelRepository,
  InMemoryMerchantRecordRepository,
  InMemoryReceiptRepository,
} from '@receipt-gate/core/testing';
import { Container, type ServiceIdentifier } from 'inversify';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { DynamoCompactionRunRepository } from '../adapters/dynamodb/dynamo-compaction-run-repository.js';
import { DynamoLabelRepository } from '../adapters/dynamodb/dynamo-label-repository.js';
import { DynamoMerchantRecordRepository } from '../adapters/dynamodb/dynamo-merchant-record-repository.js';
import { DynamoReceiptRepository } from '../adapters/dynamodb/dynamo-receipt-repository.js';
import type { MerchantRecordCodec } from '../adapters/dynamodb/merchant-record-codec.js';
import { RECEIPT_METADATA_CODEC } from '../adapters/dynamodb/receipt-metadata-item.js';
import { RECEIPT_PLACE_CODEC } from '../adapters/dynamodb/receipt-place-item.js';
import { LazyLlmAnalyzer } from '../adapters/llm/lazy-llm-analyzer.js';
import { configuredRedactor } from '../adapters/secrets/configured-redactor.js';
import { METRICS_NAMESPACE, PowertoolsTelemetry } from '../adapters/telemetry/powertools-telemetry.js';
import { redactingJsonReplacer } from '../adapters/telemetry/redacting-json-replacer.js';
import type { AnalyzerConfig, AppConfig } from '../config/app-config.js';
import { ConfigError } from '../config/config-error.js';
import type { DeadLetter, DeadLetterStore } from '../handlers/dispatcher/dead-letters.js';
import { createDispatcherHandler } from '../handlers/dispatcher/dispatcher-handler.js';
import type { RunCompletionDispatch } from '../handlers/dispatcher/run-completion-dispatch.js';
import { createUploadHandler } from '../handlers/upload-handler.js';
import type { ValidateFn } from '../handlers/validate-fn.js';
import { createValidationHandler } from '../handlers/validation-handler.js';
import { createDeltaStore, createEmbedder } from './embedding-stores.js';
import { LazyDeadLetterStore, LazyRunCompletionDispatch } from './lazy-dispatch-adapters.js';
import { LazyEmbeddingSnapshotStore } from './lazy-embedding-snapshot-store.js';
import { TOKENS } from './tokens.js';

/** Bindings to use instead of the configured ones (the demo's console telemetry, a test's fake). */
export interface ContainerOverrides {
  readonly clock?: Clock;
  readonly telemetry?: Telemetry;
  readonly dynamoClient?: DynamoDBClient;
  readonly analyzer?: ReceiptAnalyzer;
  readonly deltas?: EmbeddingDeltaStore;
  readonly snapshots?: EmbeddingSnapshotStore;
  readonly embedder?: Embedder;
  /** Where the dispatcher's dead letters go (the local system keeps them in a list). */
  readonly deadLetters?: DeadLetterStore;
  /** How the dispatcher hands settled runs to the validation (the local system calls the validation handler). */
  readonly validationDispatch?: RunCompletionDispatch;
}

/**
 * The composition root: every port bound to its adapter (DynamoDB, S3 deltas, LanceDB snapshots), or to the in-memory fakes with
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
  constant(
    TOKENS.MerchantRecordCodec,
    config.merchantRecord === 'metadata' ? RECEIPT_METADATA_CODEC : RECEIPT_PLACE_CODEC,
  );
  bindStores(container, config, overrides, telemetry);
  constant(TOKENS.Embedder, overrides.embedder ?? createEmbedder(config.embeddings));

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
        metadata: MerchantRecordRepository,
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
        TOKENS.MerchantRecordRepository,
        TOKENS.LabelRepository,
        TOKENS.Clock,
        TOKENS.Telemetry,
      ],
    );
  bindDispatch(container, config, overrides);
  bindHandlers(container, config);
  return container;
}

/**
 * The dispatcher's dead-letter store (the queue at DEAD_LETTER_QUEUE_URL; a list with the in-memory store) and, in
 * `event` mode, its hand-off to the validation function (VALIDATION_FUNCTION_NAME). Resolved when the dispatcher
 * is built: a dispatcher missing either refuses to start, naming the variable.
 */
function bindDispatch(container: Container, config: AppConfig, overrides: ContainerOverrides) {
  container.bind(TOKENS.DeadLetterStore).toDynamicValue(() => {
    if (overrides.deadLetters) return overrides.deadLetters;
    if (config.deadLetterQueueUrl) return new LazyDeadLetterStore(config.region, config.deadLetterQueueUrl);
    if (config.store === 'memory') {
      const letters: DeadLetter[] = [];
      return { put: async (batch) => void letters.push(...batch) };
    }
    throw new ConfigError(
      "invalid configuration: DEAD_LETTER_QUEUE_URL must name the dispatcher's dead-letter queue",
      ["DEAD_LETTER_QUEUE_URL must name the dispatcher's dead-letter queue"],
    );
  });
  container.bind(TOKENS.RunCompletionDispatch).toDynamicValue(() => {
    if (overrides.validationDispatch) return overrides.validationDispatch;
    if (config.validationFunctionName) {
      return new LazyRunCompletionDispatch(config.region, config.validationFunctionName);
    }
    const problem = 'VALIDATION_FUNCTION_NAME must name the validation function in event mode';
    throw new ConfigError(`invalid configuration: ${problem}`, [problem]);
  });
}

/** The configured telemetry (Powertools logs and metrics, or an override) and how to flush it. */
function makeTelemetry(config: AppConfig, telemetry: Telemetry | undefined) {
  if (telemetry) return { telemetry, flush: async () => {} };
  // Every log line, whatever reaches it (an error quoting a reply, a field), is scrubbed of the configured keys.
  const logger = new Logger({
    serviceName: config.serviceName,
    jsonReplacerFn: redactingJsonReplacer(configuredRedactor(config.analyzer)),
  });
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

function bindStores(
  container: Container,
  config: AppConfig,
  overrides: ContainerOverrides,
  telemetry: Telemetry,
) {
  const bind = <T>(id: ServiceIdentifier<T>, make: () => T) => container.bind<T>(id).toDynamicValue(make);
  if (config.store === 'memory') {
    const runs = new InMemoryCompactionRunRepository();
    container.bind(TOKENS.CompactionRunRepository).toConstantValue(runs);
    bind(TOKENS.LabelRepository, () => new InMemoryLabelRepository({ runs }));
    bind(TOKENS.ReceiptRepository, () => new InMemoryReceiptRepository());
    bind(TOKENS.MerchantRecordRepository, () => new InMemoryMerchantRecordRepository());
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
  // Reads report the items they cannot read (another service's) to the telemetry.
  container
    .bind(TOKENS.LabelRepository)
    .toResolvedValue(
      (clock: Clock, telemetry: Telemetry) => new DynamoLabelRepository({ ...table, clock, telemetry }),
      [TOKENS.Clock, TOKENS.Telemetry],
    );
  container
    .bind(TOKENS.ReceiptRepository)
    .toResolvedValue(
      (clock: Clock, telemetry: Telemetry) => new DynamoReceiptRepository({ ...table, clock, telemetry }),
      [TOKENS.Clock, TOKENS.Telemetry],
    );
  container
    .bind(TOKENS.MerchantRecordRepository)
    .toResolvedValue(
      (codec: MerchantRecordCodec, telemetry: Telemetry) =>
        new DynamoMerchantRecordRepository({ ...table, codec, telemetry }),
      [TOKENS.MerchantRecordCodec, TOKENS.Telemetry],
    );
  bind(TOKENS.EmbeddingDeltaStore, () => overrides.deltas ?? createDeltaStore(config));
  bind(
    TOKENS.EmbeddingSnapshotStore,
    () =>
      overrides.snapshots ??
      new LazyEmbeddingSnapshotStore(async () =>
        (await import('./lancedb-snapshot-store.js')).createSnapshotStore(config, telemetry),
      ),
  );
}

function bindHandlers(container: Container, config: AppConfig) {
  container.bind(TOKENS.UploadHandler).toResolvedValue(
    (
      receipts: ReceiptRepository,
      metadata: MerchantRecordRepository,
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
      TOKENS.MerchantRecordRepository,
      TOKENS.CompactionRunRepository,
      TOKENS.EmbeddingDeltaStore,
      TOKENS.Embedder,
      TOKENS.Clock,
      TOKENS.Telemetry,
      TOKENS.Validate,
      TOKENS.Flush,
    ],
  );
  container.bind(TOKENS.DispatcherHandler).toResolvedValue(
    (
      runs: CompactionRunRepository,
      deltas: EmbeddingDeltaStore,
      snapshots: EmbeddingSnapshotStore,
      labels: LabelRepository,
      merchantRecords: MerchantRecordRepository,
      clock: Clock,
      telemetry: Telemetry,
      merchantRecordCodec: MerchantRecordCodec,
      deadLetters: DeadLetterStore,
      flush: () => Promise<void>,
    ) =>
      createDispatcherHandler({
        runs,
        deltas,
        snapshots,
        labels,
        merchantRecords,
        clock,
        telemetry,
        merchantRecordCodec,
        deadLetters,
        flush,
        compactionDelayMs: config.compactionDelayMs,
        ...(config.mode === 'event' && { validation: container.get(TOKENS.RunCompletionDispatch) }),
      }),
    [
      TOKENS.CompactionRunRepository,
      TOKENS.EmbeddingDeltaStore,
      TOKENS.EmbeddingSnapshotStore,
      TOKENS.LabelRepository,
      TOKENS.MerchantRecordRepository,
      TOKENS.Clock,
      TOKENS.Telemetry,
      TOKENS.MerchantRecordCodec,
      TOKENS.DeadLetterStore,
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
