import { apiKeyProblem, apiKeysIn } from '../../config/api-key-setting.js';
import { ConfigError } from '../../config/config-error.js';
import {
  type IntegerRange,
  integerProblem,
  LAMBDA_MAX_MS,
  msRange,
  readInteger,
} from '../../config/integer-setting.js';
import { baseUrl, parseUrlSetting } from '../../config/url-setting.js';
import { type RedactText, textRedactor } from '../secrets/text-redactor.js';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';
export const DEFAULT_OLLAMA_MODEL = 'llama3.1:8b';

export interface OllamaConfigOptions {
  /** Ollama's base URL (`http://host:port`; a bare `host:port` means http). */
  readonly host?: string;
  readonly model?: string;
  /** For hosted Ollama: sent as `Authorization: Bearer <key>`. */
  readonly apiKey?: string;
  /** Bound on one HTTP call, retries apart. */
  readonly timeoutMs?: number;
  /** Further attempts after a transient failure (429, 5xx, network, timeout). */
  readonly maxRetries?: number;
  /** Calls in flight at once, across every analysis that shares the chat. */
  readonly maxConcurrency?: number;
}

const DEFAULTS = { timeoutMs: 60_000, maxRetries: 2, maxConcurrency: 4 } as const;
/** The accepted values, as the README documents them. */
export const OLLAMA_RANGES = {
  timeoutMs: msRange(100, LAMBDA_MAX_MS),
  maxRetries: { min: 0, max: 10 },
  maxConcurrency: { min: 1, max: 64 },
} as const satisfies Record<string, IntegerRange>;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where and how to call Ollama. The API key lives in a private field: serialising or inspecting the config
 * shows only whether there is one, and it leaves this object only as a request header (and is known here to be
 * scrubbed from any text that might echo it).
 */
export class OllamaConfig {
  readonly host: string;
  readonly model: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly maxConcurrency: number;
  readonly #apiKey: string | undefined;
  readonly #redact: RedactText;

  /** Throws a ConfigError naming every invalid option (never the key's value). */
  constructor(options: OllamaConfigOptions = {}) {
    const problems = problemsOf(options);
    if (problems.length > 0) throw configError(problems);
    this.host = normalizeHost(options.host ?? DEFAULT_OLLAMA_HOST);
    this.model = options.model ?? DEFAULT_OLLAMA_MODEL;
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
    this.maxConcurrency = options.maxConcurrency ?? DEFAULTS.maxConcurrency;
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
    const { host, model, timeoutMs, maxRetries, maxConcurrency, hasApiKey } = this;
    return { host, model, timeoutMs, maxRetries, maxConcurrency, hasApiKey };
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `OLLAMA_HOST`, `OLLAMA_MODEL`, `OLLAMA_API_KEY`, `OLLAMA_TIMEOUT_MS`, `OLLAMA_MAX_RETRIES` and
 * `OLLAMA_MAX_CONCURRENCY` (empty means unset), reporting every bad one at once.
 */
export function ollamaConfigFromEnv(env: Env): OllamaConfig {
  const problems: string[] = [];
  const text = (name: string) => (env[name] === '' ? undefined : env[name]);
  const options: OllamaConfigOptions = {
    host: text('OLLAMA_HOST'),
    model: text('OLLAMA_MODEL'),
    apiKey: text('OLLAMA_API_KEY'),
    timeoutMs: readInteger(env, 'OLLAMA_TIMEOUT_MS', OLLAMA_RANGES.timeoutMs, problems),
    maxRetries: readInteger(env, 'OLLAMA_MAX_RETRIES', OLLAMA_RANGES.maxRetries, problems),
    maxConcurrency: readInteger(env, 'OLLAMA_MAX_CONCURRENCY', OLLAMA_RANGES.maxConcurrency, problems),
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
    key === undefined ? undefined : apiKeyProblem('OLLAMA_API_KEY', key),
  ]) {
    if (problem) problems.push(problem);
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

function normalizeHost(raw: string): string {
  const host = parseHost(raw);
  if (!host.url) throw configError([host.problem]);
  return baseUrl(host.url);
}

function configError(problems: readonly string[]): ConfigError {
  return new ConfigError(`invalid Ollama configuration: ${problems.join('; ')}`, problems);
}
