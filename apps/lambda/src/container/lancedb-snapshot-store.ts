import type { Telemetry } from '@receipt-gate/core';
import { LanceDbEmbeddingSnapshotStore } from '../adapters/lancedb/lancedb-embedding-snapshot-store.js';
import type { AppConfig } from '../config/app-config.js';
import type { S3Credentials } from './embedding-stores.js';

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
