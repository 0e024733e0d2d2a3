import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, MS_RANGES, WRITES_RESERVE_MS } from './app-config.js';

const LANGSMITH_KEY = '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';

/** The ConfigError's message for this environment (on top of a valid minimal one). */
const problemOf = (env: Record<string, string>) => {
  try {
    configFromEnv({ TABLE_NAME: 'receipts', DELTAS_BUCKET: 'receipt-deltas', ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(Object.keys(env))}`);
};

describe('configFromEnv', () => {
  it('lets a reader that touches no delta (the operator CLI) go without DELTAS_BUCKET, and still checks a given one', () => {
    const reader = configFromEnv({ TABLE_NAME: 'receipts' }, { requireDeltasBucket: false });
    expect(reader.embeddings.deltasBucket).toBe('');
    expect(() => configFromEnv({ TABLE_NAME: 'receipts' })).toThrow(/DELTAS_BUCKET must name the S3 bucket/);
    expect(() =>
      configFromEnv(
        { TABLE_NAME: 'receipts', DELTAS_BUCKET: 'Not A Bucket' },
        { requireDeltasBucket: false },
      ),
    ).toThrow(/DELTAS_BUCKET must name the S3 bucket/);
  });

  it('defaults to the seed policy choices, inline mode and DynamoDB', () => {
    const config = configFromEnv({ TABLE_NAME: 'receipts', DELTAS_BUCKET: 'receipt-deltas' });
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
      DELTAS_BUCKET: 'receipt-deltas',
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
      'invalid configuration: RECEIPT_GATE_MODE must be one of inline | event, got "batch"; MERCHANT_RECORD must be one of place | metadata, got "summary"; GATE_MAX_WAIT_MS must be a whole number of milliseconds from 1 to 900000, got "soon"; ON_COMPACTION_FAILED must be one of skip | fail, got "proceed"; TABLE_NAME must name the DynamoDB table (at least 3 characters); DELTAS_BUCKET must name the S3 bucket of the embedding deltas',
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
      'invalid configuration: EMBEDDER must be one of hashing | ollama, got "openai"; EMBEDDINGS_URI must be a directory or an s3://bucket/prefix URI; EMBEDDING_DIMENSIONS must be a whole number from 1 to 8192, got "0"; DELTAS_BUCKET must name the S3 bucket of the embedding deltas',
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
      // The reserve must cover the read timeout: each is tried at its bounds with the other at its most lenient.
      const partner =
        name === 'GATE_POLL_TIMEOUT_MS'
          ? { INLINE_RESERVE_MS: String(MS_RANGES.INLINE_RESERVE_MS.max) }
          : name === 'INLINE_RESERVE_MS'
            ? { GATE_POLL_TIMEOUT_MS: String(MS_RANGES.GATE_POLL_TIMEOUT_MS.min) }
            : {};
      for (const raw of [String(range.min), String(range.max)]) {
        expect(
          () =>
            configFromEnv({
              TABLE_NAME: 'receipts',
              DELTAS_BUCKET: 'receipt-deltas',
              ...partner,
              [name]: raw,
            }),
          `${name}=${raw}`,
        ).not.toThrow();
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
      configFromEnv({
        TABLE_NAME: 'receipts',
        DELTAS_BUCKET: 'receipt-deltas',
        GATE_NOT_FOUND_GRACE_MS: '0',
        COMPACTION_DELAY_MS: '0',
      }),
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

  it('refuses at start a reserve that does not cover the read timeout plus the writes', () => {
    const read = (env: Record<string, string>) => () =>
      configFromEnv({ TABLE_NAME: 'receipts', DELTAS_BUCKET: 'receipt-deltas', ...env });
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
