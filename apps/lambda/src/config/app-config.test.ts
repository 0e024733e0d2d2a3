import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from './app-config.js';

describe('configFromEnv', () => {
  it('defaults to the seed policy choices, inline mode and DynamoDB', () => {
    const config = configFromEnv({ TABLE_NAME: 'receipts' });
    expect(config).toMatchObject({
      mode: 'inline',
      store: 'dynamodb',
      tableName: 'receipts',
      merchantRecord: 'place',
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
      MERCHANT_RECORD: 'metadata',
    });
    expect(config).toMatchObject({
      mode: 'event',
      merchantRecord: 'metadata',
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
        MERCHANT_RECORD: 'summary',
      });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(
      'invalid configuration: RECEIPT_GATE_MODE must be one of inline | event, got "batch"; MERCHANT_RECORD must be one of place | metadata, got "summary"; GATE_MAX_WAIT_MS must be a non-negative number of milliseconds, got "soon"; ON_COMPACTION_FAILED must be one of skip | fail, got "proceed"; TABLE_NAME must name the DynamoDB table (at least 3 characters)',
    );
  });
});
