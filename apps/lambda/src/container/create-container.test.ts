import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HashingEmbedder, PollingCompactionGate } from '@receipt-gate/core';
import {
  InMemoryCompactionRunRepository,
  RecordingTelemetry,
  SAMPLE_RECEIPTS,
} from '@receipt-gate/core/testing';
import type { Context } from 'aws-lambda';
import type { ServiceIdentifier } from 'inversify';
import { describe, expect, it } from 'vitest';
import { DynamoCompactionRunRepository } from '../adapters/dynamodb/dynamo-compaction-run-repository.js';
import { RECEIPT_METADATA_CODEC } from '../adapters/dynamodb/receipt-metadata-item.js';
import { RECEIPT_PLACE_CODEC } from '../adapters/dynamodb/receipt-place-item.js';
import { LambdaValidationDispatch } from '../adapters/lambda/lambda-validation-dispatch.js';
import { LanceDbEmbeddingSnapshotStore } from '../adapters/lancedb/lancedb-embedding-snapshot-store.js';
import { S3EmbeddingDeltaStore } from '../adapters/s3/s3-embedding-delta-store.js';
import { SqsDeadLetterStore } from '../adapters/sqs/sqs-dead-letter-store.js';
import { configFromEnv } from '../config/app-config.js';
import { InvalidUploadError } from '../handlers/parse-upload.js';
import { createContainer } from './create-container.js';
import { LazyDeadLetterStore, LazyRunCompletionDispatch } from './lazy-dispatch-adapters.js';
import { LazyEmbeddingSnapshotStore } from './lazy-embedding-snapshot-store.js';
import { TOKENS } from './tokens.js';

const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

describe('createContainer', () => {
  it('binds every port to the DynamoDB, S3, LanceDB and configured embedder adapters, with the gate policy', async () => {
    const config = configFromEnv({
      TABLE_NAME: 'receipts',
      DELTAS_BUCKET: 'receipt-deltas',
      EMBEDDINGS_URI: 's3://receipt-embeddings/snapshots',
      RECEIPT_GATE_MODE: 'event',
      DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/receipt-gate-dead-letters',
      VALIDATION_FUNCTION_NAME: 'receipt-gate-validation',
      EMBEDDER: 'ollama',
      EMBEDDING_DIMENSIONS: '384',
      GATE_POLL_INTERVAL_MS: '500',
    });
    const container = createContainer(config, { dynamoClient: new DynamoDBClient({ region: 'us-east-1' }) });
    expect(container.get(TOKENS.CompactionRunRepository)).toBeInstanceOf(DynamoCompactionRunRepository);
    expect(container.get(TOKENS.EmbeddingDeltaStore)).toBeInstanceOf(S3EmbeddingDeltaStore);
    expect((container.get(TOKENS.EmbeddingDeltaStore) as S3EmbeddingDeltaStore).bucket).toBe(
      'receipt-deltas',
    );
    // LanceDB is loaded on first use only.
    const lazy = container.get(TOKENS.EmbeddingSnapshotStore);
    expect(lazy).toBeInstanceOf(LazyEmbeddingSnapshotStore);
    const snapshots = await (lazy as LazyEmbeddingSnapshotStore).load();
    expect(snapshots).toBeInstanceOf(LanceDbEmbeddingSnapshotStore);
    expect((snapshots as LanceDbEmbeddingSnapshotStore).uri).toBe('s3://receipt-embeddings/snapshots');
    // The SQS and Lambda clients are loaded on first use only, too.
    const deadLetters = container.get(TOKENS.DeadLetterStore);
    expect(deadLetters).toBeInstanceOf(LazyDeadLetterStore);
    expect(await (deadLetters as LazyDeadLetterStore).load()).toBeInstanceOf(SqsDeadLetterStore);
    const dispatch = container.get(TOKENS.RunCompletionDispatch);
    expect(dispatch).toBeInstanceOf(LazyRunCompletionDispatch);
    expect(await (dispatch as LazyRunCompletionDispatch).load()).toBeInstanceOf(LambdaValidationDispatch);
    expect(container.get(TOKENS.Embedder)).toMatchObject({
      name: 'ollama-nomic-embed-text-384',
      dimensions: 384,
    });
    expect(
      createContainer(configFromEnv({ RECEIPT_GATE_STORE: 'memory' })).get(TOKENS.Embedder),
    ).toBeInstanceOf(HashingEmbedder);
    const gate = container.get(TOKENS.CompactionGate);
    expect(gate).toBeInstanceOf(PollingCompactionGate);
    expect((gate as PollingCompactionGate).policy.pollIntervalMs).toBe(500);
    for (const token of Object.values(TOKENS) as ServiceIdentifier<unknown>[])
      expect(container.get(token)).toBeDefined();
  });

  it('keeps merchant records in RECEIPT_PLACE by default, in RECEIPT_METADATA with MERCHANT_RECORD=metadata', () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const codecOf = (env: Record<string, string>) =>
      createContainer(configFromEnv({ TABLE_NAME: 'receipts', DELTAS_BUCKET: 'receipt-deltas', ...env }), {
        dynamoClient: client,
      }).get(TOKENS.MerchantRecordCodec);
    expect(codecOf({})).toBe(RECEIPT_PLACE_CODEC);
    expect(codecOf({ MERCHANT_RECORD: 'metadata' })).toBe(RECEIPT_METADATA_CODEC);
  });

  it('binds the in-memory fakes with `store: memory`, and an event-mode upload stores a receipt and its run', async () => {
    const telemetry = new RecordingTelemetry();
    const config = configFromEnv({ RECEIPT_GATE_STORE: 'memory', RECEIPT_GATE_MODE: 'event' });
    const container = createContainer(config, { telemetry });
    const runs = container.get(TOKENS.CompactionRunRepository);
    expect(runs).toBeInstanceOf(InMemoryCompactionRunRepository);
    const sample = SAMPLE_RECEIPTS[0];
    if (!sample) throw new Error('no sample');
    const upload = container.get(TOKENS.UploadHandler);
    const result = await upload({ ...sample }, context);
    expect(result).toMatchObject({
      mode: 'event',
      run: { imageId: sample.imageId, receiptId: sample.receiptId },
    });
    expect(result.validation).toBeUndefined();
    expect(await runs.getCompactionRun(result.run)).toMatchObject({
      linesState: 'PENDING',
      wordsState: 'PENDING',
    });
    expect((await container.get(TOKENS.ReceiptRepository).getReceiptContent(sample)).words).toHaveLength(
      sample.words.length,
    );
    expect(telemetry.eventsOf('upload.stored')).toHaveLength(1);
  });

  it('writes nothing for a refused upload', async () => {
    const container = createContainer(configFromEnv({ RECEIPT_GATE_STORE: 'memory' }), {
      telemetry: new RecordingTelemetry(),
    });
    const sample = SAMPLE_RECEIPTS[0];
    if (!sample) throw new Error('no sample');
    const upload = container.get(TOKENS.UploadHandler);
    await expect(
      upload({ ...sample, words: [...sample.words, sample.words[0]] }, context),
    ).rejects.toBeInstanceOf(InvalidUploadError);
    expect((await container.get(TOKENS.ReceiptRepository).getReceiptContent(sample)).words).toEqual([]);
    expect(await container.get(TOKENS.MerchantRecordRepository).getMerchantRecord(sample)).toBeUndefined();
  });

  it('refuses to build the dispatcher without its dead-letter queue, or in event mode without the validation function', () => {
    const base = { TABLE_NAME: 'receipts', DELTAS_BUCKET: 'receipt-deltas' };
    const client = { dynamoClient: new DynamoDBClient({ region: 'us-east-1' }) };
    expect(() => createContainer(configFromEnv(base), client).get(TOKENS.DispatcherHandler)).toThrow(
      'DEAD_LETTER_QUEUE_URL must name',
    );
    const queued = {
      ...base,
      DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/receipt-gate-dead-letters',
    };
    expect(createContainer(configFromEnv(queued), client).get(TOKENS.DispatcherHandler)).toBeTypeOf(
      'function',
    );
    expect(() =>
      createContainer(configFromEnv({ ...queued, RECEIPT_GATE_MODE: 'event' }), client).get(
        TOKENS.DispatcherHandler,
      ),
    ).toThrow('VALIDATION_FUNCTION_NAME must name the validation function');
  });
});
