import { type Embedder, HashingEmbedder, type Telemetry } from '@receipt-gate/core';
import { LanceDbEmbeddingSnapshotStore } from '../adapters/lancedb/lancedb-embedding-snapshot-store.js';
import { OllamaEmbedder } from '../adapters/ollama/ollama-embedder.js';
import { createS3Client } from '../adapters/s3/s3-client.js';
import { S3EmbeddingDeltaStore } from '../adapters/s3/s3-embedding-delta-store.js';
import type { AppConfig, EmbeddingsConfig } from '../config/app-config.js';

/** Fixed credentials for an S3-compatible endpoint (a local server); unset, the SDK's default chain is used. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The deltas bucket through the S3 API (or the configured S3-compatible endpoint). */
export function createDeltaStore(config: AppConfig, credentials?: S3Credentials): S3EmbeddingDeltaStore {
  const { deltasBucket, s3Endpoint, s3MaxAttempts } = config.embeddings;
  const client = createS3Client({
    region: config.region,
    maxAttempts: s3MaxAttempts,
    ...(s3Endpoint && { endpoint: s3Endpoint }),
    ...(credentials && { credentials }),
  });
  return new S3EmbeddingDeltaStore({ client, bucket: deltasBucket });
}

/** The snapshot tables on LanceDB, under `EMBEDDINGS_URI`. */
export function createSnapshotStore(
  config: AppConfig,
  telemetry?: Telemetry,
  credentials?: S3Credentials,
): LanceDbEmbeddingSnapshotStore {
  const { uri, dimensions, optimizeEvery, keepVersionsMs } = config.embeddings;
  const storageOptions = lanceStorageOptions(config, credentials);
  return new LanceDbEmbeddingSnapshotStore({
    uri,
    dimensions,
    optimizeEvery,
    keepVersionsMs,
    ...(storageOptions && { storageOptions }),
    ...(telemetry && { telemetry }),
  });
}

/** The configured Embedder: the offline HashingEmbedder, or an Ollama embedding model. */
export function createEmbedder(config: EmbeddingsConfig): Embedder {
  if (config.embedder === 'ollama' && config.ollama) {
    return new OllamaEmbedder({ ollama: config.ollama, model: config.model, dimensions: config.dimensions });
  }
  return new HashingEmbedder({ dimensions: config.dimensions });
}

// LanceDB's object store takes AWS's own settings from the environment (the Lambda role); only a custom
// endpoint, and fixed credentials for it, are passed explicitly.
function lanceStorageOptions(config: AppConfig, credentials?: S3Credentials) {
  const { uri, s3Endpoint } = config.embeddings;
  if (!uri.startsWith('s3://') || !s3Endpoint) return undefined;
  return {
    aws_endpoint: s3Endpoint,
    aws_region: config.region,
    allow_http: String(s3Endpoint.startsWith('http://')),
    ...(credentials && {
      aws_access_key_id: credentials.accessKeyId,
      aws_secret_access_key: credentials.secretAccessKey,
    }),
  };
}
