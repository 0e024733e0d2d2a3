import { inspect } from 'node:util';
import { ConfigError } from '../../../config/config-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/** LangSmith's public API, the client's own default. */
export const DEFAULT_LANGSMITH_ENDPOINT = 'https://api.smith.langchain.com';
/** The project the client falls back to when none is named. */
export const DEFAULT_LANGSMITH_PROJECT = 'default';

/**
 * Where and how runs are traced. The API key lives in a private field behind a prototype getter, so
 * `JSON.stringify`, object spreads and `util.inspect` (even with `getters`) of the settings never carry it.
 */
export class LangSmithSettings {
  readonly enabled = true;
  readonly #apiKey: string;

  constructor(
    readonly endpoint: string,
    apiKey: string,
    readonly project: string,
    /** `LANGSMITH_HIDE_INPUTS` / `_OUTPUTS` / `_METADATA`: send these as `{}`, as the client does from env. */
    readonly hide: { readonly inputs: boolean; readonly outputs: boolean; readonly metadata: boolean },
  ) {
    this.#apiKey = apiKey;
  }

  get apiKey(): string {
    return this.#apiKey;
  }

  [inspect.custom]() {
    const { enabled, endpoint, project, hide } = this;
    return { enabled, endpoint, apiKey: '[hidden]', project, hide };
  }
}

export type TracingConfig = { readonly enabled: false } | LangSmithSettings;

/** The variables `@langchain/core` itself turns tracing on with; any of them set to `true` enables ours. */
const TRACING_SWITCHES = [
  'LANGSMITH_TRACING',
  'LANGSMITH_TRACING_V2',
  'LANGCHAIN_TRACING',
  'LANGCHAIN_TRACING_V2',
];

/**
 * Reads the LangSmith settings once, from environment variables (`LANGSMITH_*`, falling back to the older
 * `LANGCHAIN_*`). It only reads: nothing is ever written back to the environment.
 */
export function tracingConfigFromEnv(env: Env): TracingConfig {
  const read = (name: string): string | undefined => {
    const value = (env[`LANGSMITH_${name}`] || env[`LANGCHAIN_${name}`])?.trim();
    return value ? value : undefined;
  };
  if (!TRACING_SWITCHES.some((name) => env[name]?.trim() === 'true')) return { enabled: false };
  const apiKey = read('API_KEY');
  if (!apiKey) {
    throw new ConfigError(
      'invalid configuration: LANGSMITH_TRACING=true needs LANGSMITH_API_KEY (or LANGCHAIN_API_KEY); ' +
        'set the key or turn tracing off',
    );
  }
  const endpoint = (read('ENDPOINT') ?? DEFAULT_LANGSMITH_ENDPOINT).replace(/\/+$/, '');
  if (!URL.canParse(endpoint) || !/^https?:$/.test(new URL(endpoint).protocol)) {
    throw new ConfigError(
      `invalid configuration: LANGSMITH_ENDPOINT must be an http(s) URL, got "${endpoint}"`,
    );
  }
  const flag = (name: string) => read(name) === 'true';
  return new LangSmithSettings(endpoint, apiKey, read('PROJECT') ?? DEFAULT_LANGSMITH_PROJECT, {
    inputs: flag('HIDE_INPUTS'),
    outputs: flag('HIDE_OUTPUTS'),
    metadata: flag('HIDE_METADATA'),
  });
}
