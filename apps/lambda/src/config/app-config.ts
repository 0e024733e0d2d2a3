import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type GatePolicy,
  type OutcomeAction,
  type OutcomePolicy,
  SEED_GATE_POLICY,
} from '@receipt-gate/core';
import { type OllamaConfig, ollamaConfigFromEnv } from '../adapters/llm/ollama-config.js';
import { type TracingConfig, tracingConfigFromEnv } from '../adapters/llm/tracing/tracing-config.js';
import { DEFAULT_EMBEDDING_MODEL } from '../adapters/ollama/ollama-embedder.js';
import { apiKeysIn } from './api-key-setting.js';
import { ConfigError } from './config-error.js';
import { type IntegerRange, LAMBDA_MAX_MS, msRange, readInteger } from './integer-setting.js';
import { shownValue } from './shown-value.js';
import { baseUrl, parseUrlSetting } from './url-setting.js';

export type RunMode = 'inline' | 'event';

/** Where the table keeps merchant records: RECEIPT_PLACE (the current format) or the legacy RECEIPT_METADATA. */
export type MerchantRecordFormat = 'place' | 'metadata';

export interface AppConfig {
  readonly serviceName: string;
  /** `inline`: the upload awaits the validation; `event`: the run's stream MODIFY starts it. */
  readonly mode: RunMode;
  /** `memory` binds the in-memory fakes instead of DynamoDB (other services' tests). */
  readonly store: 'dynamodb' | 'memory';
  readonly tableName: string;
  /** `place`: RECEIPT_PLACE; `metadata`: RECEIPT_METADATA, for a table that has not migrated. */
  readonly merchantRecord: MerchantRecordFormat;
  readonly region: string;
  /** DynamoDB Local or another endpoint; unset means AWS. */
  readonly dynamoEndpoint?: string;
  readonly embeddings: EmbeddingsConfig;
  /** Stand-in for the production merge time, so the wait is visible locally. */
  readonly compactionDelayMs: number;
  readonly gatePolicy: Partial<GatePolicy>;
  readonly outcomePolicy: Partial<OutcomePolicy>;
  /**
   * Time kept back from the invocation's budget after the validation's deadline: the gate's last read may overrun
   * the deadline by up to its read timeout, and the writes come after it. At least the read timeout plus
   * WRITES_RESERVE_MS, checked at start.
   */
  readonly inlineReserveMs: number;
  readonly analyzer: AnalyzerConfig;
  /** The dispatcher's dead-letter queue (SQS URL): where records that can never be applied go. */
  readonly deadLetterQueueUrl?: string;
  /** The validation function the dispatcher invokes asynchronously in `event` mode (name or ARN). */
  readonly validationFunctionName?: string;
}

/** Where the embeddings live and how they are made. */
export interface EmbeddingsConfig {
  /** The snapshot tables (LanceDB): a local directory, or `s3://bucket/prefix`. */
  readonly uri: string;
  /** The bucket of the embedding deltas (`lines/delta/<run_id>/`, `words/delta/<run_id>/`). */
  readonly deltasBucket: string;
  /** An S3-compatible endpoint for the deltas bucket and an `s3://` uri (a local S3 server); unset means AWS. */
  readonly s3Endpoint?: string;
  /** Requests per S3 call, the first included: transient failures are retried up to this bound. */
  readonly s3MaxAttempts: number;
  /** `hashing`: the offline HashingEmbedder; `ollama`: an Ollama embedding model. */
  readonly embedder: 'hashing' | 'ollama';
  /** The Ollama embedding model. */
  readonly model: string;
  /** The length of every vector; the snapshot tables are created with it and refused when it differs. */
  readonly dimensions: number;
  /** Where Ollama is, for `embedder: 'ollama'` (OLLAMA_HOST, OLLAMA_API_KEY, timeouts and retries). */
  readonly ollama?: OllamaConfig;
  /** Compact a snapshot table after this many writes to it (per process); 0 never. */
  readonly optimizeEvery: number;
  /** Table versions younger than this survive a compaction. */
  readonly keepVersionsMs: number;
}

export interface AnalyzerConfig {
  /** `ollama`: the LangGraph analyzer on Ollama; `offline`: core's offline analyzer. */
  readonly kind: 'offline' | 'ollama';
  /** What to do when the LLM fails entirely: use the offline analyzer, or fail (the invocation is retried). */
  readonly fallback: 'offline' | 'fail';
  readonly ollama?: OllamaConfig;
  readonly tracing: TracingConfig;
}

export { ConfigError } from './config-error.js';

/**
 * Time the writes after the wait need at least: the guarded label transaction and the conditional metadata update
 * (each one request, with the SDK's retries), then flushing logs, metrics and traces.
 */
export const WRITES_RESERVE_MS = 3_000;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The accepted milliseconds, as the README documents them. None may exceed a timer's limit (`msRange` checks),
 * and none may exceed a Lambda invocation. `0` is accepted only where it means something: no grace before
 * `not_found`, no simulated merge time.
 */
export const MS_RANGES = {
  GATE_POLL_INTERVAL_MS: msRange(10, 60_000),
  GATE_MAX_WAIT_MS: msRange(1, LAMBDA_MAX_MS),
  GATE_NOT_FOUND_GRACE_MS: msRange(0, LAMBDA_MAX_MS),
  GATE_POLL_TIMEOUT_MS: msRange(100, 60_000),
  // At least the shortest read timeout plus the writes; the start-up check compares it with the configured one.
  INLINE_RESERVE_MS: msRange(100 + WRITES_RESERVE_MS, LAMBDA_MAX_MS),
  COMPACTION_DELAY_MS: msRange(0, LAMBDA_MAX_MS),
} as const satisfies Record<string, IntegerRange>;

export interface ConfigOptions {
  /**
   * Whether DELTAS_BUCKET must be set (default: yes). The operator's reads (status, wait, revalidate) touch no
   * delta; without a bucket, `embeddings.deltasBucket` is empty and nothing may build a delta store from it.
   */
  readonly requireDeltasBucket?: boolean;
}

/** Reads the configuration from environment variables, reporting every bad one at once. */
export function configFromEnv(env: Env, options: ConfigOptions = {}): AppConfig {
  const problems: string[] = [];
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = env[name] ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(' | ')}, got ${shownValue(value)}`);
    return fallback;
  };
  const ms = (name: keyof typeof MS_RANGES) => readInteger(env, name, MS_RANGES[name], problems);
  const actions = ['proceed', 'skip', 'fail'] as const satisfies readonly OutcomeAction[];
  const refusals = ['skip', 'fail'] as const;
  const mode = oneOf('RECEIPT_GATE_MODE', ['inline', 'event'] as const, 'inline');
  const store = oneOf('RECEIPT_GATE_STORE', ['dynamodb', 'memory'] as const, 'dynamodb');
  const merchantRecord = oneOf('MERCHANT_RECORD', ['place', 'metadata'] as const, 'place');
  const gatePolicy = Object.fromEntries(
    Object.entries({
      pollIntervalMs: ms('GATE_POLL_INTERVAL_MS'),
      maxWaitMs: ms('GATE_MAX_WAIT_MS'),
      notFoundGraceMs: ms('GATE_NOT_FOUND_GRACE_MS'),
      pollTimeoutMs: ms('GATE_POLL_TIMEOUT_MS'),
    }).filter(([, value]) => value !== undefined),
  ) as Partial<GatePolicy>;
  const dynamoEndpoint = endpointSetting(env, 'DYNAMODB_ENDPOINT', problems);
  const deadLetterQueueUrl = queueUrlSetting(env, problems);
  const validationFunctionName = env.VALIDATION_FUNCTION_NAME || undefined;
  if (validationFunctionName !== undefined && !FUNCTION_NAME.test(validationFunctionName)) {
    problems.push('VALIDATION_FUNCTION_NAME must be a Lambda function name or ARN');
  }
  const stateDir = env.RECEIPT_GATE_STATE_DIR ?? join(tmpdir(), 'receipt-gate');
  const config: AppConfig = {
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'receipt-gate',
    mode,
    store,
    tableName: env.TABLE_NAME ?? '',
    merchantRecord,
    region: env.AWS_REGION ?? 'us-east-1',
    ...(dynamoEndpoint && { dynamoEndpoint }),
    embeddings: embeddingsConfig(env, stateDir, problems),
    compactionDelayMs: ms('COMPACTION_DELAY_MS') ?? 0,
    gatePolicy,
    outcomePolicy: {
      failed: oneOf('ON_COMPACTION_FAILED', refusals, 'skip'),
      timed_out: oneOf('ON_COMPACTION_TIMEOUT', actions, 'proceed'),
      not_found: oneOf('ON_COMPACTION_NOT_FOUND', actions, 'proceed'),
    },
    inlineReserveMs: ms('INLINE_RESERVE_MS') ?? 10_000,
    analyzer: analyzerConfig(env, problems),
    ...(deadLetterQueueUrl && { deadLetterQueueUrl }),
    ...(validationFunctionName && { validationFunctionName }),
  };
  const readTimeoutMs = gatePolicy.pollTimeoutMs ?? SEED_GATE_POLICY.pollTimeoutMs;
  if (config.inlineReserveMs < readTimeoutMs + WRITES_RESERVE_MS) {
    problems.push(
      `INLINE_RESERVE_MS must cover the gate's last read, which may overrun the deadline by its timeout (GATE_POLL_TIMEOUT_MS, ${readTimeoutMs} ms), plus the writes after it (${WRITES_RESERVE_MS} ms): at least ${readTimeoutMs + WRITES_RESERVE_MS}, got ${config.inlineReserveMs}`,
    );
  }
  if (config.store === 'dynamodb' && config.tableName.length < 3) {
    problems.push('TABLE_NAME must name the DynamoDB table (at least 3 characters)');
  }
  const bucketGiven = config.embeddings.deltasBucket !== '' || (options.requireDeltasBucket ?? true);
  if (
    config.store === 'dynamodb' &&
    bucketGiven &&
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(config.embeddings.deltasBucket)
  ) {
    problems.push('DELTAS_BUCKET must name the S3 bucket of the embedding deltas');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, problems);
  return config;
}

/** The embeddings settings' accepted values, as the README documents them. */
export const EMBEDDINGS_RANGES = {
  S3_MAX_ATTEMPTS: { min: 1, max: 10 },
  EMBEDDING_DIMENSIONS: { min: 1, max: 8_192 },
  LANCEDB_OPTIMIZE_EVERY: { min: 0, max: 1_000_000 },
  LANCEDB_KEEP_VERSIONS_MS: msRange(0, 7 * 24 * 3_600_000),
} as const satisfies Record<string, IntegerRange>;

function embeddingsConfig(env: Env, stateDir: string, problems: string[]): EmbeddingsConfig {
  const integer = (name: keyof typeof EMBEDDINGS_RANGES, fallback: number): number =>
    readInteger(env, name, EMBEDDINGS_RANGES[name], problems) ?? fallback;
  const embedder = env.EMBEDDER ?? 'hashing';
  if (embedder !== 'hashing' && embedder !== 'ollama') {
    problems.push(`EMBEDDER must be one of hashing | ollama, got ${shownValue(embedder)}`);
  }
  const model = env.EMBEDDING_MODEL || DEFAULT_EMBEDDING_MODEL;
  let ollama: OllamaConfig | undefined;
  if (embedder === 'ollama') {
    try {
      ollama = ollamaConfigFromEnv(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
    }
  }
  const uri = env.EMBEDDINGS_URI || join(stateDir, 'embeddings');
  if (uri.includes('://') && !uri.startsWith('s3://')) {
    problems.push('EMBEDDINGS_URI must be a directory or an s3://bucket/prefix URI');
  }
  const s3Endpoint = endpointSetting(env, 'S3_ENDPOINT', problems);
  return {
    uri,
    deltasBucket: env.DELTAS_BUCKET ?? '',
    ...(s3Endpoint && { s3Endpoint }),
    s3MaxAttempts: integer('S3_MAX_ATTEMPTS', 4),
    embedder: embedder === 'ollama' ? 'ollama' : 'hashing',
    model,
    // nomic-embed-text makes 768 values; the offline embedder 256 unless told otherwise.
    dimensions: integer('EMBEDDING_DIMENSIONS', embedder === 'ollama' ? 768 : 256),
    ...(ollama && { ollama }),
    optimizeEvery: integer('LANCEDB_OPTIMIZE_EVERY', 100),
    keepVersionsMs: integer('LANCEDB_KEEP_VERSIONS_MS', 3_600_000),
  };
}

/** The analyzer's part of the configuration alone (the demo's `--analyzer`). */
export function analyzerConfigFromEnv(env: Env): AnalyzerConfig {
  const problems: string[] = [];
  const config = analyzerConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, problems);
  return config;
}

/** The LLM analyzer is used when asked for (`RECEIPT_ANALYZER=ollama`) or when an Ollama host is configured. */
function analyzerConfig(env: Env, problems: string[]): AnalyzerConfig {
  const collect = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const requested = env.RECEIPT_ANALYZER ?? (env.OLLAMA_HOST ? 'ollama' : 'offline');
  const kind = requested === 'ollama' || requested === 'offline' ? requested : undefined;
  if (!kind) problems.push(`RECEIPT_ANALYZER must be one of offline | ollama, got ${shownValue(requested)}`);
  const fallback = env.ANALYZER_FALLBACK ?? 'offline';
  if (fallback !== 'offline' && fallback !== 'fail') {
    problems.push(`ANALYZER_FALLBACK must be one of offline | fail, got ${shownValue(fallback)}`);
  }
  const ollama = kind === 'ollama' ? collect(() => ollamaConfigFromEnv(env)) : undefined;
  return {
    kind: kind ?? 'offline',
    fallback: fallback === 'fail' ? 'fail' : 'offline',
    ...(ollama && { ollama }),
    tracing: collect(() => tracingConfigFromEnv(env)) ?? { enabled: false },
  };
}

/** A function name, partial ARN or ARN, as `Invoke` takes it (letters, digits, `-`, `_`, `:`, and an alias). */
const FUNCTION_NAME =
  /^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;

/** DEAD_LETTER_QUEUE_URL: an https SQS queue URL (unset: none), checked like every URL setting. */
function queueUrlSetting(env: Env, problems: string[]): string | undefined {
  const raw = env.DEAD_LETTER_QUEUE_URL;
  if (!raw) return undefined;
  const setting = parseUrlSetting('DEAD_LETTER_QUEUE_URL', raw, {
    schemes: ['https:', 'http:'],
    example: 'https://sqs.us-east-1.amazonaws.com/123456789012/receipt-gate-dead-letters',
    secrets: apiKeysIn(env),
  });
  if (setting.problem) problems.push(setting.problem);
  return setting.url?.href;
}

/** An endpoint override (unset or empty: the service's own), checked like every URL setting. */
function endpointSetting(env: Env, name: string, problems: string[]): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  const setting = parseUrlSetting(name, raw, {
    schemes: ['http:', 'https:'],
    example: 'http://127.0.0.1:8000',
    secrets: apiKeysIn(env),
  });
  if (setting.problem) problems.push(setting.problem);
  return setting.url && baseUrl(setting.url);
}
