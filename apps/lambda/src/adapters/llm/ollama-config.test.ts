import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/config-error.js';
import {
  DEFAULT_OLLAMA_HOST,
  DEFAULT_OLLAMA_MODEL,
  OLLAMA_PROFILES,
  OllamaConfig,
  ollamaConfigFromEnv,
} from './ollama-config.js';

const KEY = 'olk-secret-5d1e2f3a4b';
const LANGSMITH_KEY = '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';

describe('ollamaConfigFromEnv', () => {
  it('defaults to a local Ollama with the hosted-model limits and no key', () => {
    const config = ollamaConfigFromEnv({});
    expect(config.toJSON()).toEqual({
      host: DEFAULT_OLLAMA_HOST,
      model: DEFAULT_OLLAMA_MODEL,
      profile: 'hosted',
      timeoutMs: 60_000,
      maxRetries: 2,
      maxConcurrency: 4,
      analysisBudgetMs: 180_000,
      hasApiKey: false,
    });
    expect(config.authHeaders()).toBeUndefined();
  });

  it('reads every variable, treating empty as unset', () => {
    const config = ollamaConfigFromEnv({
      OLLAMA_HOST: 'https://ollama.com/',
      OLLAMA_MODEL: 'gpt-oss:120b',
      OLLAMA_API_KEY: KEY,
      OLLAMA_TIMEOUT_MS: '15000',
      OLLAMA_MAX_RETRIES: '0',
      OLLAMA_MAX_CONCURRENCY: ' 8 ',
      OLLAMA_ANALYSIS_BUDGET_MS: '90000',
    });
    expect(config).toMatchObject({
      host: 'https://ollama.com',
      model: 'gpt-oss:120b',
      timeoutMs: 15_000,
      maxRetries: 0,
      maxConcurrency: 8,
      analysisBudgetMs: 90_000,
      hasApiKey: true,
    });
    expect(config.authHeaders()).toEqual({ Authorization: `Bearer ${KEY}` });
    expect(ollamaConfigFromEnv({ OLLAMA_API_KEY: '', OLLAMA_MODEL: '' }).toJSON()).toMatchObject({
      hasApiKey: false,
      model: DEFAULT_OLLAMA_MODEL,
    });
  });

  it('takes the limits of the local CPU profile, one call at a time with long timeouts, each still settable', () => {
    expect(ollamaConfigFromEnv({ OLLAMA_PROFILE: 'local-cpu' }).toJSON()).toMatchObject({
      profile: 'local-cpu',
      ...OLLAMA_PROFILES['local-cpu'],
    });
    expect(OLLAMA_PROFILES['local-cpu']).toMatchObject({ maxConcurrency: 1, maxRetries: 0 });
    expect(OLLAMA_PROFILES['local-cpu'].timeoutMs).toBeGreaterThan(OLLAMA_PROFILES.hosted.timeoutMs);
    expect(OLLAMA_PROFILES['local-cpu'].analysisBudgetMs).toBeGreaterThan(
      OLLAMA_PROFILES.hosted.analysisBudgetMs,
    );
    expect(
      ollamaConfigFromEnv({ OLLAMA_PROFILE: 'local-cpu', OLLAMA_TIMEOUT_MS: '120000' }).toJSON(),
    ).toMatchObject({ timeoutMs: 120_000, maxConcurrency: 1 });
  });

  it('accepts a bare host:port as http', () => {
    expect(ollamaConfigFromEnv({ OLLAMA_HOST: 'gpu-box:11434' }).host).toBe('http://gpu-box:11434');
  });

  it('reports every bad variable at once', () => {
    const read = () =>
      ollamaConfigFromEnv({
        OLLAMA_HOST: 'ftp://models',
        OLLAMA_MODEL: 'two words',
        OLLAMA_TIMEOUT_MS: '10s',
        OLLAMA_MAX_RETRIES: '-1',
        OLLAMA_MAX_CONCURRENCY: '0',
        OLLAMA_PROFILE: 'gpu',
        OLLAMA_ANALYSIS_BUDGET_MS: '0',
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      'invalid Ollama configuration: OLLAMA_PROFILE must be one of hosted | local-cpu, got "gpu"; ' +
        'OLLAMA_TIMEOUT_MS must be a whole number of milliseconds from 100 to 900000, got "10s"; ' +
        'OLLAMA_MAX_RETRIES must be a whole number from 0 to 10, got "-1"; ' +
        'OLLAMA_MAX_CONCURRENCY must be a whole number from 1 to 64, got "0"; ' +
        'OLLAMA_ANALYSIS_BUDGET_MS must be a whole number of milliseconds from 1000 to 3600000, got "0"; ' +
        'OLLAMA_HOST must use http or https; OLLAMA_MODEL must be a model name without spaces',
    );
  });

  it('bounds the timeout (no 0, nothing past a Lambda invocation), the retries and the concurrency', () => {
    for (const [name, raw] of [
      ['OLLAMA_TIMEOUT_MS', '0'],
      ['OLLAMA_TIMEOUT_MS', '3000000000'],
      ['OLLAMA_TIMEOUT_MS', '60000.5'],
      ['OLLAMA_MAX_RETRIES', '11'],
      ['OLLAMA_MAX_CONCURRENCY', '65'],
    ]) {
      expect(() => ollamaConfigFromEnv({ [name as string]: raw }), `${name}=${raw}`).toThrow(
        new RegExp(`${name} must be a whole number`),
      );
    }
    expect(() => new OllamaConfig({ timeoutMs: 2 ** 31 })).toThrow(/timeoutMs|OLLAMA_TIMEOUT_MS/);
    expect(
      ollamaConfigFromEnv({ OLLAMA_TIMEOUT_MS: '900000', OLLAMA_MAX_CONCURRENCY: '64' }).toJSON(),
    ).toMatchObject({ timeoutMs: 900_000, maxConcurrency: 64 });
  });

  it('refuses credentials in the host and a key sent in clear to another machine, without echoing them', () => {
    const messageOf = (env: Record<string, string>) => {
      try {
        ollamaConfigFromEnv(env);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('expected a ConfigError');
    };
    const inUrl = messageOf({ OLLAMA_HOST: `https://user:${KEY}@ollama.example` });
    expect(inUrl).toMatch(/must not contain credentials/);
    expect(inUrl).not.toContain(KEY);
    const inClear = messageOf({ OLLAMA_HOST: 'http://10.0.0.5:11434', OLLAMA_API_KEY: KEY });
    expect(inClear).toMatch(/use https/);
    expect(inClear).not.toContain(KEY);
    for (const key of [`${KEY} x`, `${KEY.slice(0, 9)}\n${KEY.slice(9)}`, `${KEY}\n`]) {
      const message = messageOf({ OLLAMA_API_KEY: key });
      expect(message).toMatch(/OLLAMA_API_KEY contains whitespace or a control character/);
      expect(message).not.toContain(KEY.slice(0, 8));
      expect(message).not.toContain(KEY.slice(-8));
    }
    for (const host of [KEY, `https://ollama.example/?key=${KEY}`, `https://ollama.example/${KEY}`]) {
      const message = messageOf({ OLLAMA_HOST: host, OLLAMA_API_KEY: KEY });
      expect(message).toMatch(/^invalid Ollama configuration: OLLAMA_HOST /);
      expect(message).not.toContain(KEY.slice(-8));
    }
    expect(
      messageOf({ OLLAMA_HOST: `https://ollama.example/${LANGSMITH_KEY}`, LANGSMITH_API_KEY: LANGSMITH_KEY }),
    ).toMatch(/OLLAMA_HOST contains an API key/);
    expect(
      ollamaConfigFromEnv({ OLLAMA_HOST: 'http://localhost:11434', OLLAMA_API_KEY: KEY }).hasApiKey,
    ).toBe(true);
  });
});

describe('OllamaConfig secrecy', () => {
  const config = new OllamaConfig({ host: 'https://ollama.com', apiKey: KEY });

  it('never shows the key when serialised or inspected', () => {
    expect(JSON.stringify(config)).not.toContain(KEY);
    expect(JSON.stringify({ nested: { config } })).not.toContain(KEY);
    expect(inspect(config, { showHidden: true, depth: 10, getters: true })).not.toContain(KEY);
    expect(String(config)).not.toContain(KEY);
    expect(Object.values(config).join(' ')).not.toContain(KEY);
    expect(JSON.parse(JSON.stringify(config))).toMatchObject({ hasApiKey: true });
  });

  it('scrubs the key from text that echoes it', () => {
    expect(config.redact(`401: bad key ${KEY} (${KEY})`)).toBe('401: bad key [redacted] ([redacted])');
    const base64 = Buffer.from(KEY).toString('base64');
    expect(config.redact(`key ...${KEY.slice(-8)} / ${base64}`)).toBe('key ...[redacted] / [redacted]');
    expect(new OllamaConfig().redact('nothing to hide')).toBe('nothing to hide');
  });
});
