import {
  HashingEmbedder,
  type MerchantRecord,
  NOOP_TELEMETRY,
  OfflineReceiptAnalyzer,
} from '@receipt-gate/core';
import {
  type AppConfig,
  type AsyncInvokeSettings,
  createContainer,
  DISPATCHER_STREAM_SETTINGS,
  dispatcherFilters,
  type StreamMappingSettings,
  TOKENS,
  VALIDATION_INVOKE_SETTINGS,
} from '@receipt-gate/lambda';
import { compileFilterCriteria } from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ServiceIdentifier } from 'inversify';
import type { EnvironmentPorts, Handler } from '../runtime/lambda-runtime.js';
import type { RunMode } from '../scenario/workload.js';
import type { LabelRepositoryClass } from '../table/database.js';
import type { MappingSettings } from '../table/event-source-mapping.js';
import type { Item } from '../table/table-stream.js';
import { CachingEmbedder } from './caching-embedder.js';
import { MemoizingAnalyzer } from './memoizing-analyzer.js';
import { SimReceiptVersionStore } from './sim-receipt-version-store.js';

/**
 * THE WIRING: how the simulation builds the production pipeline from the container, and nothing else. When the
 * topology changes (functions, stream mappings, their settings and filters, new ports), this is the file to adapt.
 */

/** The code under test: the production composition root, or a mutant of it (and of the label store). */
export interface PipelineCode {
  readonly createContainer: typeof createContainer;
  readonly labelClass?: LabelRepositoryClass;
}

export const PRODUCTION_CODE: PipelineCode = { createContainer };

/** The functions' timeouts, as the CDK stack deploys them (apps/infra/src/stack/receipt-gate-stack.ts). */
export const FUNCTION_TIMEOUTS_MS = {
  inlineUpload: 180_000,
  eventUpload: 60_000,
  dispatcher: 300_000,
  validation: 300_000,
} as const;

/** Lambda's waits before the retries of a failed asynchronous invocation: about one minute, then two. */
export const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000] as const;

/** The embedding length in the simulation: values are only compared, so a short vector keeps memory low. */
const SIM_DIMENSIONS = 8;

/** The configuration of one simulated system: the deployed defaults, on the in-memory stores. */
export function simConfig(mode: RunMode): AppConfig {
  return {
    serviceName: 'receipt-gate-sim',
    mode,
    store: 'memory',
    tableName: `receipt-gate-sim-${mode}`,
    merchantRecord: 'place',
    region: 'us-east-1',
    embeddings: {
      uri: 'memory://snapshots',
      deltasBucket: 'receipt-gate-sim',
      s3MaxAttempts: 1,
      embedder: 'hashing',
      model: 'hashing',
      dimensions: SIM_DIMENSIONS,
      optimizeEvery: 0,
      keepVersionsMs: 0,
    },
    compactionDelayMs: 0,
    gatePolicy: {},
    outcomePolicy: {},
    inlineReserveMs: 10_000,
    analyzer: { kind: 'offline', fallback: 'offline', tracing: { enabled: false } },
  };
}

/** A function of the pipeline: its name, timeout, and how an execution environment builds its handler. */
export interface PipelineFunction {
  readonly name: string;
  readonly timeoutMs: number;
  readonly build: (ports: EnvironmentPorts) => Handler;
}

/** A stream mapping of the pipeline: its settings, its filter, and the function it invokes. */
export interface PipelineMapping {
  readonly settings: MappingSettings;
  readonly accepts: (record: DynamoDBRecord) => boolean;
  readonly fn: PipelineFunction;
}

/** A function invoked asynchronously (`InvocationType: Event`), with its retry settings as deployed. */
export interface AsyncPipelineFunction extends PipelineFunction {
  readonly settings: AsyncInvokeSettings;
  readonly retryDelaysMs: readonly number[];
}

export interface Pipeline {
  readonly config: AppConfig;
  /** How the table stores merchant records (its stream images). */
  readonly merchantToItem: (record: MerchantRecord) => Item;
  readonly upload: PipelineFunction;
  readonly mappings: readonly PipelineMapping[];
  /** `event` mode: the validation, which the dispatcher invokes asynchronously for each settled run. */
  readonly validation: AsyncPipelineFunction | undefined;
}

/** The merchant record codec the container binds (its item type names the records the compactor follows). */
function merchantCodec(
  code: PipelineCode,
  config: AppConfig,
): { readonly type: string; toItem(record: MerchantRecord): Item } {
  return code.createContainer(config, { telemetry: NOOP_TELEMETRY }).get(TOKENS.MerchantRecordCodec);
}

/**
 * The pipeline of one system (`inline` or `event` mode), in the deployed topology: the upload function; the
 * dispatcher, the stream's one mapping (the compactor, and in `event` mode the hand-off of settled runs); in
 * `event` mode the validation, invoked asynchronously by the dispatcher. Each execution environment gets its own
 * container (as each Lambda environment does), with every port bound to the simulation's instrumented stores,
 * clock, telemetry and analyzer; the dead-letter store and the validation's invocation are ports too.
 */
export function buildPipeline(mode: RunMode, code: PipelineCode = PRODUCTION_CODE): Pipeline {
  const config = simConfig(mode);
  const codec = merchantCodec(code, config);
  const embedder = new CachingEmbedder(new HashingEmbedder({ dimensions: SIM_DIMENSIONS }));
  const offline = new MemoizingAnalyzer(new OfflineReceiptAnalyzer());
  const handler =
    (token: ServiceIdentifier<unknown>) =>
    (ports: EnvironmentPorts): Handler => {
      const container = code.createContainer(config, {
        clock: ports.clock,
        telemetry: ports.telemetry,
        analyzer: ports.analyzer(offline),
        deltas: ports.store('deltas'),
        snapshots: ports.store('snapshots'),
        embedder,
        deadLetters: ports.deadLetters,
        ...(mode === 'event' && { validationDispatch: ports.store('validations') }),
      });
      container.rebind(TOKENS.CompactionRunRepository).toConstantValue(ports.store('runs'));
      container.rebind(TOKENS.LabelRepository).toConstantValue(ports.store('labels'));
      container.rebind(TOKENS.ReceiptRepository).toConstantValue(ports.store('receipts'));
      container.rebind(TOKENS.MerchantRecordRepository).toConstantValue(ports.store('merchant'));
      container
        .rebind(TOKENS.ReceiptVersionStore)
        .toConstantValue(new SimReceiptVersionStore(ports.store('versions')));
      return container.get(token) as Handler;
    };
  const fn = (name: string, timeoutMs: number, token: ServiceIdentifier<unknown>): PipelineFunction => ({
    name,
    timeoutMs,
    build: handler(token),
  });
  const mappings: PipelineMapping[] = [
    {
      settings: mappingSettings('dispatcher', DISPATCHER_STREAM_SETTINGS),
      accepts: compileFilterCriteria(dispatcherFilters(codec.type, mode === 'event')),
      fn: fn('dispatcher', FUNCTION_TIMEOUTS_MS.dispatcher, TOKENS.DispatcherHandler),
    },
  ];
  const validation: AsyncPipelineFunction | undefined =
    mode === 'event'
      ? {
          ...fn('validation', FUNCTION_TIMEOUTS_MS.validation, TOKENS.ValidationHandler),
          settings: VALIDATION_INVOKE_SETTINGS,
          retryDelaysMs: ASYNC_RETRY_DELAYS_MS,
        }
      : undefined;
  return {
    config,
    merchantToItem: (record) => codec.toItem(record),
    upload: fn(
      'upload',
      mode === 'inline' ? FUNCTION_TIMEOUTS_MS.inlineUpload : FUNCTION_TIMEOUTS_MS.eventUpload,
      TOKENS.UploadHandler,
    ),
    mappings,
    validation,
  };
}

function mappingSettings(name: string, settings: StreamMappingSettings): MappingSettings {
  return {
    name,
    batchSize: settings.batchSize,
    batchingWindowMs: settings.maximumBatchingWindowInSeconds * 1000,
    parallelizationFactor: settings.parallelizationFactor,
    maximumRetryAttempts: settings.maximumRetryAttempts,
    maximumRecordAgeMs: settings.maximumRecordAgeInSeconds * 1000,
    bisectBatchOnFunctionError: settings.bisectBatchOnFunctionError,
  };
}
