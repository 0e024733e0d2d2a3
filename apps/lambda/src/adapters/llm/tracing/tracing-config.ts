import { inspect } from 'node:util';
import { apiKeyProblem, apiKeysIn } from '../../../config/api-key-setting.js';
import { ConfigError } from '../../../config/config-error.js';
import { baseUrl, parseUrlSetting } from '../../../config/url-setting.js';

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

  /** Throws a ConfigError if the key or the endpoint is unusable (never quoting either). */
  constructor(
    readonly endpoint: string,
    apiKey: string,
    readonly project: string,
    /** `LANGSMITH_HIDE_INPUTS` / `_OUTPUTS` / `_METADATA`: send these as `{}`, as the client does from env. */
    readonly hide: { readonly inputs: boolean; readonly outputs: boolean; readonly metadata: boolean },
  ) {
    const problems = [
      apiKeyProblem('the LangSmith API key', apiKey),
      parseUrlSetting('the LangSmith endpoint', endpoint, { ...ENDPOINT_RULES, secrets: [apiKey] }).problem,
    ].filter((problem) => problem !== undefined);
    if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, problems);
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

const ENDPOINT_RULES = { schemes: ['http:', 'https:'], example: DEFAULT_LANGSMITH_ENDPOINT } as const;

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
  /** The variable that holds a setting: the `LANGSMITH_` one unless only the `LANGCHAIN_` one is set. */
  const source = (name: string): string | undefined =>
    [`LANGSMITH_${name}`, `LANGCHAIN_${name}`].find((variable) => env[variable]?.trim());
  const read = (name: string): string | undefined => {
    const variable = source(name);
    return variable && env[variable]?.trim();
  };
  if (!TRACING_SWITCHES.some((name) => env[name]?.trim() === 'true')) return { enabled: false };
  const keyVariable = source('API_KEY');
  // Not trimmed: a key with whitespace is refused, not repaired, so what is sent is what was checked.
  const apiKey = keyVariable && env[keyVariable];
  if (!keyVariable || !apiKey) {
    const problem =
      'LANGSMITH_TRACING=true needs LANGSMITH_API_KEY (or LANGCHAIN_API_KEY); set the key or turn tracing off';
    throw new ConfigError(`invalid configuration: ${problem}`, [problem]);
  }
  const problems: string[] = [];
  const keyProblem = apiKeyProblem(keyVariable, apiKey);
  if (keyProblem) problems.push(keyProblem);
  const endpointVariable = source('ENDPOINT') ?? 'LANGSMITH_ENDPOINT';
  const endpoint = parseUrlSetting(endpointVariable, read('ENDPOINT') ?? DEFAULT_LANGSMITH_ENDPOINT, {
    ...ENDPOINT_RULES,
    secrets: [apiKey, ...apiKeysIn(env)],
  });
  if (endpoint.problem) problems.push(endpoint.problem);
  if (problems.length > 0 || !endpoint.url) {
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, problems);
  }
  const flag = (name: string) => read(name) === 'true';
  return new LangSmithSettings(baseUrl(endpoint.url), apiKey, read('PROJECT') ?? DEFAULT_LANGSMITH_PROJECT, {
    inputs: flag('HIDE_INPUTS'),
    outputs: flag('HIDE_OUTPUTS'),
    metadata: flag('HIDE_METADATA'),
  });
}
