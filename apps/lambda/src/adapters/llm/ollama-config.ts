import { ConfigError } from '../../config/config-error.js';

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
    profile: profileOf(text('OLLAMA_PROFILE')?.trim(), problems),
    timeoutMs: integer('OLLAMA_TIMEOUT_MS'),
    maxRetries: integer('OLLAMA_MAX_RETRIES'),
    maxConcurrency: integer('OLLAMA_MAX_CONCURRENCY'),
    analysisBudgetMs: integer('OLLAMA_ANALYSIS_BUDGET_MS'),
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
  atLeast('OLLAMA_ANALYSIS_BUDGET_MS', options.analysisBudgetMs, 1);
  if (options.profile !== undefined && !Object.hasOwn(OLLAMA_PROFILES, options.profile)) {
    problems.push(`OLLAMA_PROFILE must be one of ${Object.keys(OLLAMA_PROFILES).join(' | ')}`);
  }
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

function profileOf(raw: string | undefined, problems: string[]): OllamaProfile | undefined {
  if (raw === undefined || Object.hasOwn(OLLAMA_PROFILES, raw)) return raw as OllamaProfile | undefined;
  problems.push(`OLLAMA_PROFILE must be one of ${Object.keys(OLLAMA_PROFILES).join(' | ')}, got "${raw}"`);
  return undefined;
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
