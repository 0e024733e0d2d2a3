import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../config/config-error.js';
import {
  DEFAULT_LANGSMITH_ENDPOINT,
  DEFAULT_LANGSMITH_PROJECT,
  LangSmithSettings,
  tracingConfigFromEnv,
} from './tracing-config.js';

const KEY = 'lsv2_pt_0123456789abcdef0123456789abcdef_0123456789';

describe('tracingConfigFromEnv', () => {
  it('is off unless a tracing switch is exactly "true", whatever else is set', () => {
    for (const env of [
      {},
      { LANGSMITH_API_KEY: KEY, LANGSMITH_ENDPOINT: 'http://127.0.0.1:1' },
      { LANGSMITH_TRACING: 'false', LANGSMITH_API_KEY: KEY },
      { LANGSMITH_TRACING: '1', LANGSMITH_API_KEY: KEY },
    ]) {
      expect(tracingConfigFromEnv(env)).toEqual({ enabled: false });
    }
  });

  it('reads the LANGSMITH_* settings, trimming a trailing slash off the endpoint', () => {
    const config = tracingConfigFromEnv({
      LANGSMITH_TRACING: 'true',
      LANGSMITH_ENDPOINT: 'https://eu.api.smith.langchain.com/',
      LANGSMITH_API_KEY: KEY,
      LANGSMITH_PROJECT: 'receipts',
      LANGSMITH_HIDE_OUTPUTS: 'true',
    });
    expect(config).toMatchObject({
      enabled: true,
      endpoint: 'https://eu.api.smith.langchain.com',
      project: 'receipts',
      apiKey: KEY,
      hide: { inputs: false, outputs: true, metadata: false },
    });
  });

  it('falls back to the LANGCHAIN_* names, and to the default endpoint and project', () => {
    expect(tracingConfigFromEnv({ LANGCHAIN_TRACING_V2: 'true', LANGCHAIN_API_KEY: KEY })).toMatchObject({
      enabled: true,
      endpoint: DEFAULT_LANGSMITH_ENDPOINT,
      project: DEFAULT_LANGSMITH_PROJECT,
      apiKey: KEY,
    });
    expect(
      tracingConfigFromEnv({
        LANGSMITH_TRACING: 'true',
        LANGSMITH_API_KEY: KEY,
        LANGCHAIN_API_KEY: 'older',
        LANGSMITH_PROJECT: '',
        LANGCHAIN_PROJECT: 'legacy-project',
        LANGCHAIN_ENDPOINT: 'http://127.0.0.1:1984',
      }),
    ).toMatchObject({ apiKey: KEY, project: 'legacy-project', endpoint: 'http://127.0.0.1:1984' });
  });

  it('refuses tracing without a key, naming the variable to set', () => {
    expect(() => tracingConfigFromEnv({ LANGSMITH_TRACING: 'true' })).toThrow(ConfigError);
    expect(() => tracingConfigFromEnv({ LANGSMITH_TRACING: 'true', LANGSMITH_API_KEY: '  ' })).toThrow(
      /LANGSMITH_TRACING=true needs LANGSMITH_API_KEY/,
    );
  });

  it('refuses an endpoint that is not an http(s) URL, without quoting it', () => {
    for (const endpoint of ['smith', 'ftp://smith.example', 'https://smith .example']) {
      expect(() =>
        tracingConfigFromEnv({
          LANGSMITH_TRACING: 'true',
          LANGSMITH_API_KEY: KEY,
          LANGSMITH_ENDPOINT: endpoint,
        }),
      ).toThrow(/^invalid configuration: LANGSMITH_ENDPOINT must (be a URL like|use http or https)[^"]*$/);
    }
  });

  /** The ConfigError's message, checked for every 8-character fragment of the key. */
  const refusalOf = (env: Record<string, string>) => {
    let message: string | undefined;
    try {
      tracingConfigFromEnv({ LANGSMITH_TRACING: 'true', ...env });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    if (message === undefined) throw new Error('expected a ConfigError');
    for (let at = 0; at + 8 <= KEY.length; at++) expect(message).not.toContain(KEY.slice(at, at + 8));
    return message;
  };

  it('refuses a key with a newline (or any whitespace) at startup, naming the variable, never echoing it', () => {
    const split = `${KEY.slice(0, 24)}\n${KEY.slice(24)}`;
    expect(refusalOf({ LANGSMITH_API_KEY: split })).toBe(
      'invalid configuration: LANGSMITH_API_KEY contains whitespace or a control character, such as a pasted newline (the value is not shown)',
    );
    expect(refusalOf({ LANGSMITH_API_KEY: `${KEY}\r\n` })).toMatch(/LANGSMITH_API_KEY contains whitespace/);
    expect(refusalOf({ LANGCHAIN_API_KEY: ` ${KEY}` })).toMatch(/LANGCHAIN_API_KEY contains whitespace/);
    expect(refusalOf({ LANGSMITH_API_KEY: 'lsv2_short' })).toMatch(/LANGSMITH_API_KEY must be 16 to 1024/);
  });

  it('refuses a key pasted into LANGSMITH_ENDPOINT, in any place, without printing it', () => {
    for (const endpoint of [
      KEY,
      `https://${KEY}`,
      `https://user:${KEY}@api.smith.langchain.com`,
      `https://api.smith.langchain.com/?api_key=${KEY}`,
      `https://api.smith.langchain.com/${KEY}`,
      `https://api.smith.langchain.com/${encodeURIComponent(KEY.slice(-12))}`,
    ]) {
      expect(refusalOf({ LANGSMITH_API_KEY: KEY, LANGSMITH_ENDPOINT: endpoint }), endpoint).toMatch(
        /^invalid configuration: LANGSMITH_ENDPOINT (must|contains)/,
      );
    }
  });

  it('checks settings built in code the same way', () => {
    const hide = { inputs: false, outputs: false, metadata: false };
    expect(() => new LangSmithSettings('https://api.smith.langchain.com', `${KEY}\n`, 'p', hide)).toThrow(
      /the LangSmith API key contains whitespace/,
    );
    expect(() => new LangSmithSettings(`https://x.example/${KEY}`, KEY, 'p', hide)).toThrow(
      /the LangSmith endpoint contains an API key/,
    );
  });

  it('keeps the key out of JSON, inspection and spreads of the config', () => {
    const config = tracingConfigFromEnv({ LANGSMITH_TRACING: 'true', LANGSMITH_API_KEY: KEY });
    expect(config.enabled && config.apiKey).toBe(KEY);
    expect(JSON.stringify(config)).not.toContain(KEY);
    expect(inspect(config, { showHidden: true, depth: null, getters: true })).not.toContain(KEY);
    expect(JSON.stringify({ ...config })).not.toContain(KEY);
    expect(String(config)).not.toContain(KEY);
  });

  it('only reads the environment it is given', () => {
    const env = Object.freeze({ LANGSMITH_TRACING: 'true', LANGSMITH_API_KEY: KEY });
    const before = { ...process.env };
    expect(() => tracingConfigFromEnv(env)).not.toThrow();
    expect(process.env).toEqual(before);
  });
});
