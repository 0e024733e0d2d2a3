import { ConfigError } from '../../config/config-error.js';

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
  }

  get hasApiKey(): boolean {
    return this.#apiKey !== undefined;
  }

  /** The headers that authenticate a request, if a key is configured. */
  authHeaders(): Record<string, string> | undefined {
    return this.#apiKey === undefined ? undefined : { Authorization: `Bearer ${this.#apiKey}` };
  }

  /** `text` with the key, wherever it appears, replaced (for error messages and echoed replies). */
  redact(text: string): string {
    return this.#apiKey === undefined ? text : text.replaceAll(this.#apiKey, '[redacted]');
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
  const integer = (name: string) => {
    const raw = text(name)?.trim();
    if (raw === undefined) return undefined;
    if (/^\d+$/.test(raw)) return Number(raw);
    problems.push(`${name} must be a whole number, got "${raw}"`);
    return undefined;
  };
  const options: OllamaConfigOptions = {
    host: text('OLLAMA_HOST'),
    model: text('OLLAMA_MODEL'),
    apiKey: text('OLLAMA_API_KEY'),
    timeoutMs: integer('OLLAMA_TIMEOUT_MS'),
    maxRetries: integer('OLLAMA_MAX_RETRIES'),
    maxConcurrency: integer('OLLAMA_MAX_CONCURRENCY'),
  };
  problems.push(...problemsOf(options));
  if (problems.length > 0) throw configError(problems);
  return new OllamaConfig(options);
}

function problemsOf(options: OllamaConfigOptions): string[] {
  const problems: string[] = [];
  const host = hostProblem(options.host ?? DEFAULT_OLLAMA_HOST);
  if (host) problems.push(host);
  if (options.model !== undefined && !/^\S+$/.test(options.model)) {
    problems.push('OLLAMA_MODEL must be a model name without spaces');
  }
  const atLeast = (name: string, value: number | undefined, min: number) => {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
      problems.push(`${name} must be an integer >= ${min}, got ${value}`);
    }
  };
  atLeast('OLLAMA_TIMEOUT_MS', options.timeoutMs, 1);
  atLeast('OLLAMA_MAX_RETRIES', options.maxRetries, 0);
  atLeast('OLLAMA_MAX_CONCURRENCY', options.maxConcurrency, 1);
  const key = options.apiKey === '' ? undefined : options.apiKey;
  if (key !== undefined && !/^[\x21-\x7e]+$/.test(key)) {
    problems.push('OLLAMA_API_KEY must be printable ASCII without spaces');
  }
  if (key !== undefined && !host) {
    const url = new URL(normalizeHost(options.host ?? DEFAULT_OLLAMA_HOST));
    if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      problems.push('OLLAMA_API_KEY is set but OLLAMA_HOST is plain http to another machine: use https');
    }
  }
  return problems;
}

function hostProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(withScheme(raw));
  } catch {
    // Not echoed: a malformed URL may still carry credentials.
    return `OLLAMA_HOST must be a URL like ${DEFAULT_OLLAMA_HOST}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `OLLAMA_HOST must be http or https, got "${url.protocol}"`;
  }
  if (url.username || url.password) {
    // Credentials in the URL would appear wherever the host is logged: they belong in OLLAMA_API_KEY.
    return 'OLLAMA_HOST must not contain credentials; put the key in OLLAMA_API_KEY';
  }
  return undefined;
}

function normalizeHost(raw: string): string {
  return new URL(withScheme(raw)).href.replace(/\/+$/, '');
}

function withScheme(host: string): string {
  return host.includes('://') ? host : `http://${host}`;
}

function configError(problems: readonly string[]): ConfigError {
  return new ConfigError(`invalid Ollama configuration: ${problems.join('; ')}`);
}
