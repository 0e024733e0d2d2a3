import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, MS_RANGES } from './app-config.js';

const LANGSMITH_KEY = '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';

/** The ConfigError's message for this environment (on top of a valid minimal one). */
const problemOf = (env: Record<string, string>) => {
  try {
    configFromEnv({ TABLE_NAME: 'receipts', ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(Object.keys(env))}`);
};

describe('configFromEnv', () => {
  it('defaults to the seed policy choices, inline mode and DynamoDB', () => {
    const config = configFromEnv({ TABLE_NAME: 'receipts' });
    expect(config).toMatchObject({
      mode: 'inline',
      store: 'dynamodb',
      tableName: 'receipts',
      gatePolicy: {},
      outcomePolicy: { failed: 'skip', timed_out: 'proceed', not_found: 'proceed' },
      compactionDelayMs: 0,
      inlineReserveMs: 10_000,
    });
    expect(config.dynamoEndpoint).toBeUndefined();
  });

  it('reads the gate policy, the outcome policy and the endpoint', () => {
    const config = configFromEnv({
      TABLE_NAME: 'receipts',
      RECEIPT_GATE_MODE: 'event',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      GATE_POLL_INTERVAL_MS: '500',
      GATE_MAX_WAIT_MS: '30000',
      ON_COMPACTION_TIMEOUT: 'fail',
    });
    expect(config).toMatchObject({
      mode: 'event',
      dynamoEndpoint: 'http://127.0.0.1:8000',
      gatePolicy: { pollIntervalMs: 500, maxWaitMs: 30_000 },
      outcomePolicy: { timed_out: 'fail' },
    });
  });

  it('reports every bad variable at once, and never proceeds after a FAILED compaction', () => {
    const read = () =>
      configFromEnv({
        RECEIPT_GATE_MODE: 'batch',
        GATE_MAX_WAIT_MS: 'soon',
        ON_COMPACTION_FAILED: 'proceed',
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      'invalid configuration: RECEIPT_GATE_MODE must be one of inline | event, got "batch"; GATE_MAX_WAIT_MS must be a whole number of milliseconds from 1 to 900000, got "soon"; ON_COMPACTION_FAILED must be one of skip | fail, got "proceed"; TABLE_NAME must name the DynamoDB table (at least 3 characters)',
    );
  });

  it('refuses GATE_POLL_TIMEOUT_MS=3000000000 (past the timer limit, every read would be abandoned at once)', () => {
    expect(problemOf({ GATE_POLL_TIMEOUT_MS: '3000000000' })).toBe(
      'invalid configuration: GATE_POLL_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000, got "3000000000"',
    );
  });

  it('bounds every millisecond setting: 0 only where it means something, 2^31 nowhere, whole numbers only', () => {
    const meaningfulZero = ['GATE_NOT_FOUND_GRACE_MS', 'COMPACTION_DELAY_MS'];
    for (const [name, range] of Object.entries(MS_RANGES)) {
      expect(range.max, name).toBeLessThanOrEqual(2 ** 31 - 1);
      expect(range.min === 0, name).toBe(meaningfulZero.includes(name));
      for (const raw of [String(range.min), String(range.max)]) {
        expect(() => configFromEnv({ TABLE_NAME: 'receipts', [name]: raw }), `${name}=${raw}`).not.toThrow();
      }
      for (const raw of [String(range.max + 1), String(2 ** 31), '1.5', '2e3', '-1', 'NaN']) {
        expect(problemOf({ [name]: raw }), `${name}=${raw}`).toMatch(
          new RegExp(
            `^invalid configuration: ${name} must be a whole number of milliseconds from ${range.min} to ${range.max}, got "`,
          ),
        );
      }
      if (range.min > 0) expect(problemOf({ [name]: '0' })).toMatch(new RegExp(`${name} must be`));
    }
    expect(
      configFromEnv({ TABLE_NAME: 'receipts', GATE_NOT_FOUND_GRACE_MS: '0', COMPACTION_DELAY_MS: '0' }),
    ).toMatchObject({ gatePolicy: { notFoundGraceMs: 0 }, compactionDelayMs: 0 });
    expect(MS_RANGES.GATE_MAX_WAIT_MS.max).toBe(15 * 60_000);
  });

  it('refuses a LangSmith key with a newline at startup, naming the variable and never echoing the key', () => {
    for (const key of [`${LANGSMITH_KEY.slice(0, 24)}\n${LANGSMITH_KEY.slice(24)}`, `${LANGSMITH_KEY}\n`]) {
      const message = problemOf({ LANGSMITH_TRACING: 'true', LANGSMITH_API_KEY: key });
      expect(message).toMatch(/LANGSMITH_API_KEY contains whitespace or a control character/);
      for (let at = 0; at + 8 <= LANGSMITH_KEY.length; at++) {
        expect(message).not.toContain(LANGSMITH_KEY.slice(at, at + 8));
      }
    }
  });

  it('checks DYNAMODB_ENDPOINT like every URL, and quotes no value that could be a pasted key', () => {
    expect(problemOf({ DYNAMODB_ENDPOINT: 'dynamodb.local:8000' })).toMatch(
      /DYNAMODB_ENDPOINT must be a URL like http:\/\/127\.0\.0\.1:8000$/,
    );
    expect(problemOf({ DYNAMODB_ENDPOINT: 'https://AKIA:secret@dynamodb.local' })).toMatch(
      /DYNAMODB_ENDPOINT must not contain credentials/,
    );
    const pasted = problemOf({
      LANGSMITH_API_KEY: LANGSMITH_KEY,
      DYNAMODB_ENDPOINT: `http://127.0.0.1:8000/${LANGSMITH_KEY}`,
      RECEIPT_GATE_MODE: LANGSMITH_KEY,
      GATE_MAX_WAIT_MS: LANGSMITH_KEY,
    });
    expect(pasted).toMatch(/DYNAMODB_ENDPOINT contains an API key/);
    expect(pasted).toMatch(/RECEIPT_GATE_MODE must be one of inline \| event, got a value of 51 characters/);
    expect(pasted).not.toContain(LANGSMITH_KEY.slice(0, 8));
    expect(pasted).not.toContain(LANGSMITH_KEY.slice(-8));
  });
});
