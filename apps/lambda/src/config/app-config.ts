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
import { ConfigError } from './config-error.js';

export type RunMode = 'inline' | 'event';

export interface AppConfig {
  readonly serviceName: string;
  /** `inline`: the upload awaits the validation; `event`: the run's stream MODIFY starts it. */
  readonly mode: RunMode;
  /** `memory` binds the in-memory fakes instead of DynamoDB (other services' tests). */
  readonly store: 'dynamodb' | 'memory';
  readonly tableName: string;
  readonly region: string;
  /** DynamoDB Local or another endpoint; unset means AWS. */
  readonly dynamoEndpoint?: string;
  readonly snapshotDir: string;
  readonly deltaDir: string;
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

/** Reads the configuration from environment variables, reporting every bad one at once. */
export function configFromEnv(env: Env): AppConfig {
  const problems: string[] = [];
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = env[name] ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(' | ')}, got "${value}"`);
    return fallback;
  };
  const ms = (name: string, fallback?: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (Number.isFinite(value) && value >= 0) return value;
    problems.push(`${name} must be a non-negative number of milliseconds, got "${raw}"`);
    return fallback;
  };
  const actions = ['proceed', 'skip', 'fail'] as const satisfies readonly OutcomeAction[];
  const refusals = ['skip', 'fail'] as const;
  const mode = oneOf('RECEIPT_GATE_MODE', ['inline', 'event'] as const, 'inline');
  const store = oneOf('RECEIPT_GATE_STORE', ['dynamodb', 'memory'] as const, 'dynamodb');
  const gatePolicy = Object.fromEntries(
    Object.entries({
      pollIntervalMs: ms('GATE_POLL_INTERVAL_MS'),
      maxWaitMs: ms('GATE_MAX_WAIT_MS'),
      notFoundGraceMs: ms('GATE_NOT_FOUND_GRACE_MS'),
      pollTimeoutMs: ms('GATE_POLL_TIMEOUT_MS'),
    }).filter(([, value]) => value !== undefined),
  ) as Partial<GatePolicy>;
  const stateDir = env.RECEIPT_GATE_STATE_DIR ?? join(tmpdir(), 'receipt-gate');
  const config: AppConfig = {
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'receipt-gate',
    mode,
    store,
    tableName: env.TABLE_NAME ?? '',
    region: env.AWS_REGION ?? 'us-east-1',
    ...(env.DYNAMODB_ENDPOINT && { dynamoEndpoint: env.DYNAMODB_ENDPOINT }),
    snapshotDir: env.SNAPSHOT_DIR ?? join(stateDir, 'snapshots'),
    deltaDir: env.DELTA_DIR ?? join(stateDir, 'deltas'),
    compactionDelayMs: ms('COMPACTION_DELAY_MS', 0) ?? 0,
    gatePolicy,
    outcomePolicy: {
      failed: oneOf('ON_COMPACTION_FAILED', refusals, 'skip'),
      timed_out: oneOf('ON_COMPACTION_TIMEOUT', actions, 'proceed'),
      not_found: oneOf('ON_COMPACTION_NOT_FOUND', actions, 'proceed'),
    },
    inlineReserveMs: ms('INLINE_RESERVE_MS', 10_000) ?? 10_000,
    analyzer: analyzerConfig(env, problems),
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
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return config;
}

/** The analyzer's part of the configuration alone (the demo's `--analyzer`). */
export function analyzerConfigFromEnv(env: Env): AnalyzerConfig {
  const problems: string[] = [];
  const config = analyzerConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return config;
}

/** The LLM analyzer is used when asked for (`RECEIPT_ANALYZER=ollama`) or when an Ollama host is configured. */
function analyzerConfig(env: Env, problems: string[]): AnalyzerConfig {
  const collect = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };
  const requested = env.RECEIPT_ANALYZER ?? (env.OLLAMA_HOST ? 'ollama' : 'offline');
  const kind = requested === 'ollama' || requested === 'offline' ? requested : undefined;
  if (!kind) problems.push(`RECEIPT_ANALYZER must be one of offline | ollama, got "${requested}"`);
  const fallback = env.ANALYZER_FALLBACK ?? 'offline';
  if (fallback !== 'offline' && fallback !== 'fail') {
    problems.push(`ANALYZER_FALLBACK must be one of offline | fail, got "${fallback}"`);
  }
  const ollama = kind === 'ollama' ? collect(() => ollamaConfigFromEnv(env)) : undefined;
  return {
    kind: kind ?? 'offline',
    fallback: fallback === 'fail' ? 'fail' : 'offline',
    ...(ollama && { ollama }),
    tracing: collect(() => tracingConfigFromEnv(env)) ?? { enabled: false },
  };
}
