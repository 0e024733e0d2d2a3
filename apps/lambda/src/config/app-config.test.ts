import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv } from './app-config.js';

describe('configFromEnv', () => {
  it('defaults to the seed policy choices, inline mode and DynamoDB', () => {
    const config = configFromEnv({ TABLE_NAME: 'receipts', DELTAS_BUCKET: 'receipt-deltas' });
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
      DELTAS_BUCKET: 'receipt-deltas',
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
      'invalid configuration: RECEIPT_GATE_MODE must be one of inline | event, got "batch"; GATE_MAX_WAIT_MS must be a non-negative number of milliseconds, got "soon"; ON_COMPACTION_FAILED must be one of skip | fail, got "proceed"; TABLE_NAME must name the DynamoDB table (at least 3 characters); DELTAS_BUCKET must name the S3 bucket of the embedding deltas',
    );
  });

  it('keeps the embeddings in a local directory with the offline embedder by default', () => {
    const config = configFromEnv({
      TABLE_NAME: 'receipts',
      DELTAS_BUCKET: 'receipt-deltas',
      RECEIPT_GATE_STATE_DIR: '/var/rg',
    });
    expect(config.embeddings).toEqual({
      uri: '/var/rg/embeddings',
      deltasBucket: 'receipt-deltas',
      s3MaxAttempts: 4,
      embedder: 'hashing',
      model: 'nomic-embed-text',
      dimensions: 256,
      optimizeEvery: 100,
      keepVersionsMs: 3_600_000,
    });
  });

  it('points the stores at S3 and the embedder at Ollama, with 768 values unless told otherwise', () => {
    const config = configFromEnv({
      TABLE_NAME: 'receipts',
      DELTAS_BUCKET: 'receipt-deltas',
      EMBEDDINGS_URI: 's3://receipt-embeddings/prod',
      S3_ENDPOINT: 'http://127.0.0.1:4569',
      S3_MAX_ATTEMPTS: '6',
      EMBEDDER: 'ollama',
      OLLAMA_HOST: 'http://127.0.0.1:11434',
      LANCEDB_OPTIMIZE_EVERY: '0',
    });
    expect(config.embeddings).toMatchObject({
      uri: 's3://receipt-embeddings/prod',
      s3Endpoint: 'http://127.0.0.1:4569',
      s3MaxAttempts: 6,
      embedder: 'ollama',
      dimensions: 768,
      optimizeEvery: 0,
    });
    expect(config.embeddings.ollama?.host).toBe('http://127.0.0.1:11434');
    expect(
      configFromEnv({ RECEIPT_GATE_STORE: 'memory', EMBEDDING_DIMENSIONS: '64' }).embeddings.dimensions,
    ).toBe(64);
  });

  it('reports bad embedding settings', () => {
    expect(() =>
      configFromEnv({
        TABLE_NAME: 'receipts',
        DELTAS_BUCKET: 'Bad_Bucket',
        EMBEDDER: 'openai',
        EMBEDDING_DIMENSIONS: '0',
        EMBEDDINGS_URI: 'gs://elsewhere',
      }),
    ).toThrow(
      'invalid configuration: EMBEDDER must be one of hashing | ollama, got "openai"; EMBEDDINGS_URI must be a directory or an s3://bucket/prefix URI, got "gs://elsewhere"; EMBEDDING_DIMENSIONS must be a whole number >= 1, got "0"; DELTAS_BUCKET must name the S3 bucket of the embedding deltas',
    );
  });
});
