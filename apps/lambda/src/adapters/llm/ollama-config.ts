import { apiKeyProblem, apiKeysIn } from '../../config/api-key-setting.js';
import { ConfigError } from '../../config/config-error.js';
import {
  type IntegerRange,
  integerProblem,
  LAMBDA_MAX_MS,
  msRange,
  readInteger,
} from '../../config/integer-setting.js';
import { shownValue } from '../../config/shown-value.js';
import { baseUrl, parseUrlSetting } from '../../config/url-setting.js';
import { type RedactText, textRedactor } from '../secrets/text-redactor.js';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const DEFAULT_OLLAMA_MODEL = 'llama3.1:8b';

/**
 * Defaults for the call limits, by where the model runs. A hosted model answers in seconds and serves calls in
 * parallel. A local model on a CPU takes 10-60 s a call and runs one at a time (parallel calls only queue inside
 * Ollama, where they time out), and a retry repeats that work, so it gets one call in flight, long timeouts and
 * no retries. Each limit can still be set on its own.
 */
export const OLLAMA_PROFILES = {
  hosted: { timeoutMs: 60_000, maxRetries: 2, maxConcurrency: 4, analysisBudgetMs: 180_000 },
  'local-cpu': { timeoutMs: 300_000, maxRetries: 0, maxConcurrency: 1, analysisBudgetMs: 1_800_000 },
} as const satisfies Record<string, OllamaLimits>;

export type OllamaProfile = keyof typeof OLLAMA_PROFILES;
export const DEFAULT_OLLAMA_PROFILE: OllamaProfile = 'hosted';

/** How long and how much the LLM analyzer may call the model. */
export interface OllamaLimits {
  /** Bound on one HTTP call, retries apart (a call waiting for a free slot is not yet timed). */
  readonly timeoutMs: number;
  /** Further attempts after a transient failure (429, 5xx, network, timeout). */
  readonly maxRetries: number;
  /** Calls in flight at once, across every analysis that shares the chat. */
  readonly maxConcurrency: number;
  /** Bound on a whole analysis, every call and wait included; a caller's earlier deadline wins. */
  readonly analysisBudgetMs: number;
}

export interface OllamaConfigOptions {
  /** Ollama's base URL (`http://host:port`; a bare `host:port` means http). */
  readonly host?: string;
  readonly model?: string;
  /** For hosted Ollama: sent as `Authorization: Bearer <key>`. */
  readonly apiKey?: string;
  /** Where the defaults of the limits below come from. */
  readonly profile?: OllamaProfile;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  readonly maxConcurrency?: number;
  readonly analysisBudgetMs?: number;
}

/** The accepted values, as the README documents them. */
export const OLLAMA_RANGES = {
  timeoutMs: msRange(100, LAMBDA_MAX_MS),
  maxRetries: { min: 0, max: 10 },
  maxConcurrency: { min: 1, max: 64 },
  analysisBudgetMs: msRange(1_000, 3_600_000),
} as const satisfies Record<string, IntegerRange>;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where and how to call Ollama. The API key lives in a private field: serialising or inspecting the config
 * shows only whether there is one, and it leaves this object only as a request header (and is known here to be
 * scrubbed from any text that might echo it).
 */
export class OllamaConfig implements OllamaLimits {
  readonly host: string;
  readonly model: string;
  readonly profile: OllamaProfile;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly maxConcurrency: number;
  readonly analysisBudgetMs: number;
  readonly #apiKey: string | undefined;
  readonly #redact: RedactText;

  /** Throws a ConfigError naming every invalid option (never the key's value). */
  constructor(options: OllamaConfigOptions = {}) {
    const problems = problemsOf(options);
    if (problems.length > 0) throw configError(problems);
    this.host = normalizeHost(options.host ?? DEFAULT_OLLAMA_HOST);
    this.model = options.model ?? DEFAULT_OLLAMA_MODEL;
    this.profile = options.profile ?? DEFAULT_OLLAMA_PROFILE;
    const defaults: OllamaLimits = OLLAMA_PROFILES[this.profile];
    this.timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
    this.maxRetries = options.maxRetries ?? defaults.maxRetries;
    this.maxConcurrency = options.maxConcurrency ?? defaults.maxConcurrency;
    this.analysisBudgetMs = options.analysisBudgetMs ?? defaults.analysisBudgetMs;
    this.#apiKey = options.apiKey === '' ? undefined : options.apiKey;
    this.#redact = textRedactor([this.#apiKey]);
  }

  get hasApiKey(): boolean {
    return this.#apiKey !== undefined;
  }

  /** The headers that authenticate a request, if a key is configured. */
  authHeaders(): Record<string, string> | undefined {
    return this.#apiKey === undefined ? undefined : { Authorization: `Bearer ${this.#apiKey}` };
  }

  /** `text` with the key, its fragments and encodings, wherever they appear, replaced (see `textRedactor`). */
  redact(text: string): string {
    return this.#redact(text);
  }

  toJSON() {
    const { host, model, profile, timeoutMs, maxRetries, maxConcurrency, analysisBudgetMs, hasApiKey } = this;
    return { host, model, profile, timeoutMs, maxRetries, maxConcurrency, analysisBudgetMs, hasApiKey };
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `OLLAMA_HOST`, `OLLAMA_MODEL`, `OLLAMA_API_KEY`, `OLLAMA_PROFILE`, `OLLAMA_TIMEOUT_MS`,
 * `OLLAMA_MAX_RETRIES`, `OLLAMA_MAX_CONCURRENCY` and `OLLAMA_ANALYSIS_BUDGET_MS` (empty means unset), reporting
 * every bad one at once.
 */
export function ollamaConfigFromEnv(env: Env): OllamaConfig {
  const problems: string[] = [];
  const text = (name: string) => (env[name] === '' ? undefined : env[name]);
  const options: OllamaConfigOptions = {
    host: text('OLLAMA_HOST'),
    model: text('OLLAMA_MODEL'),
    apiKey: text('OLLAMA_API_KEY'),
    profile: profileOf(text('OLLAMA_PROFILE')?.trim(), problems),
    timeoutMs: readInteger(env, 'OLLAMA_TIMEOUT_MS', OLLAMA_RANGES.timeoutMs, problems),
    maxRetries: readInteger(env, 'OLLAMA_MAX_RETRIES', OLLAMA_RANGES.maxRetries, problems),
    maxConcurrency: readInteger(env, 'OLLAMA_MAX_CONCURRENCY', OLLAMA_RANGES.maxConcurrency, problems),
    analysisBudgetMs: readInteger(env, 'OLLAMA_ANALYSIS_BUDGET_MS', OLLAMA_RANGES.analysisBudgetMs, problems),
  };
  problems.push(...problemsOf(options, apiKeysIn(env)));
  if (problems.length > 0) throw configError(problems);
  return new OllamaConfig(options);
}

function problemsOf(options: OllamaConfigOptions, otherKeys: readonly string[] = []): string[] {
  const problems: string[] = [];
  const key = options.apiKey === '' ? undefined : options.apiKey;
  const host = parseHost(options.host ?? DEFAULT_OLLAMA_HOST, [key, ...otherKeys]);
  if (host.problem) problems.push(host.problem);
  if (options.model !== undefined && !/^\S+$/.test(options.model)) {
    problems.push('OLLAMA_MODEL must be a model name without spaces');
  }
  for (const problem of [
    integerProblem('OLLAMA_TIMEOUT_MS', options.timeoutMs, OLLAMA_RANGES.timeoutMs),
    integerProblem('OLLAMA_MAX_RETRIES', options.maxRetries, OLLAMA_RANGES.maxRetries),
    integerProblem('OLLAMA_MAX_CONCURRENCY', options.maxConcurrency, OLLAMA_RANGES.maxConcurrency),
    integerProblem('OLLAMA_ANALYSIS_BUDGET_MS', options.analysisBudgetMs, OLLAMA_RANGES.analysisBudgetMs),
    key === undefined ? undefined : apiKeyProblem('OLLAMA_API_KEY', key),
  ]) {
    if (problem) problems.push(problem);
  }
  if (options.profile !== undefined && !Object.hasOwn(OLLAMA_PROFILES, options.profile)) {
    problems.push(`OLLAMA_PROFILE must be one of ${Object.keys(OLLAMA_PROFILES).join(' | ')}`);
  }
  if (key !== undefined && host.url?.protocol === 'http:' && !LOOPBACK_HOSTS.has(host.url.hostname)) {
    problems.push('OLLAMA_API_KEY is set but OLLAMA_HOST is plain http to another machine: use https');
  }
  return problems;
}

/** A bare `host:port` means http, as in Ollama's own clients. */
function parseHost(raw: string, secrets: readonly (string | undefined)[] = []) {
  return parseUrlSetting('OLLAMA_HOST', raw, {
    schemes: ['http:', 'https:'],
    defaultScheme: 'http:',
    example: DEFAULT_OLLAMA_HOST,
    secrets,
  });
}

function profileOf(raw: string | undefined, problems: string[]): OllamaProfile | undefined {
  if (raw === undefined || Object.hasOwn(OLLAMA_PROFILES, raw)) return raw as OllamaProfile | undefined;
  problems.push(
    `OLLAMA_PROFILE must be one of ${Object.keys(OLLAMA_PROFILES).join(' | ')}, got ${shownValue(raw)}`,
  );
  return undefined;
}

function normalizeHost(raw: string): string {
  const host = parseHost(raw);
  if (!host.url) throw configError([host.problem]);
  return baseUrl(host.url);
}

function configError(problems: readonly string[]): ConfigError {
  return new ConfigError(`invalid Ollama configuration: ${problems.join('; ')}`, problems);
}
