import { type Embedder, HashingEmbedder } from '@receipt-gate/core';
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

/** The configured Embedder: the offline HashingEmbedder, or an Ollama embedding model. */
export function createEmbedder(config: EmbeddingsConfig): Embedder {
  if (config.embedder === 'ollama' && config.ollama) {
    return new OllamaEmbedder({ ollama: config.ollama, model: config.model, dimensions: config.dimensions });
  }
  return new HashingEmbedder({ dimensions: config.dimensions });
}
