import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, WRITES_RESERVE_MS } from './app-config.js';

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
      'invalid configuration: RECEIPT_GATE_MODE must be one of inline | event, got "batch"; GATE_MAX_WAIT_MS must be a non-negative number of milliseconds, got "soon"; ON_COMPACTION_FAILED must be one of skip | fail, got "proceed"; TABLE_NAME must name the DynamoDB table (at least 3 characters)',
    );
  });

  it('refuses at start a reserve that does not cover the read timeout plus the writes', () => {
    const read = (env: Record<string, string>) => () => configFromEnv({ TABLE_NAME: 'receipts', ...env });
    expect(read({ INLINE_RESERVE_MS: String(5_000 + WRITES_RESERVE_MS - 1) })).toThrow(
      `INLINE_RESERVE_MS must cover the gate's last read, which may overrun the deadline by its timeout (GATE_POLL_TIMEOUT_MS, 5000 ms), plus the writes after it (${WRITES_RESERVE_MS} ms): at least ${5_000 + WRITES_RESERVE_MS}, got ${5_000 + WRITES_RESERVE_MS - 1}`,
    );
    expect(read({ GATE_POLL_TIMEOUT_MS: '8000' })).toThrow(ConfigError);
    expect(read({ GATE_POLL_TIMEOUT_MS: '8000' })).toThrow(
      `at least ${8_000 + WRITES_RESERVE_MS}, got 10000`,
    );
    expect(read({ INLINE_RESERVE_MS: String(5_000 + WRITES_RESERVE_MS) })().inlineReserveMs).toBe(8_000);
    expect(read({ GATE_POLL_TIMEOUT_MS: '2000', INLINE_RESERVE_MS: '5000' })().inlineReserveMs).toBe(5_000);
  });
});
