import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  type EmbeddingDeltaStore,
  type EmbeddingVector,
  InvalidValueError,
  TransientStoreError,
} from '@receipt-gate/core';
import { isTransientError } from '../dynamodb/classify-error.js';

const packed = promisify(gzip);
const unpacked = promisify(gunzip);

/** The one object of a delta, under the run's prefix (`lines/delta/<run_id>/delta.json.gz`). */
export const DELTA_OBJECT = 'delta.json.gz';

export interface S3EmbeddingDeltaStoreOptions {
  /** Its `maxAttempts` bounds the retries of a transient failure (throttling, 5xx, network, timeout). */
  readonly client: S3Client;
  readonly bucket: string;
}

/**
 * EmbeddingDeltaStore on S3: a delta is one gzipped JSON object under its prefix, written in one PUT (a reader
 * sees all of it or none). The upload writes it before the run item, so no run points at a missing delta. The
 * client retries transient failures a bounded number of times; one that persists is a TransientStoreError (the
 * record is retried), any other failure is permanent, and a missing delta reads as undefined (the compactor then
 * marks the collection FAILED).
 */
export class S3EmbeddingDeltaStore implements EmbeddingDeltaStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: S3EmbeddingDeltaStoreOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
  }

  get bucket(): string {
    return this.#bucket;
  }

  /** Closes the client it was given (its open connections); the store must not be used afterwards. */
  close(): void {
    this.#client.destroy();
  }

  async putDelta(prefix: string, vectors: readonly EmbeddingVector[]): Promise<void> {
    const Body = await packed(JSON.stringify(vectors));
    await this.#send('PutObject', () =>
      this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: keyOf(prefix),
          Body,
          ContentType: 'application/gzip',
        }),
      ),
    );
  }

  async getDelta(prefix: string): Promise<EmbeddingVector[] | undefined> {
    const key = keyOf(prefix);
    const bytes = await this.#send('GetObject', async () => {
      try {
        const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
        return await object.Body?.transformToByteArray();
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    });
    if (bytes === undefined) return undefined;
    return parseDelta(`s3://${this.#bucket}/${key}`, JSON.parse((await unpacked(bytes)).toString('utf8')));
  }

  /** S3 answers a DELETE of a missing object with success, so deleting twice is harmless. */
  async deleteDelta(prefix: string): Promise<void> {
    await this.#send('DeleteObject', () =>
      this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: keyOf(prefix) })),
    );
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!isTransientError(error)) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new TransientStoreError(`S3 ${operation} failed transiently (${reason})`, { cause: error });
    }
  }
}

/** The object key of the delta under `prefix`; `a/b` and `a/b/` name the same delta. */
export function keyOf(prefix: string): string {
  if (prefix === '' || prefix.startsWith('/') || prefix === '/') {
    throw new InvalidValueError(
      'delta_prefix',
      `must be a relative key prefix, got ${JSON.stringify(prefix)}`,
    );
  }
  return `${prefix.endsWith('/') ? prefix : `${prefix}/`}${DELTA_OBJECT}`;
}

// A delta is read by another function than the one that wrote it: check its shape rather than trust it.
function parseDelta(where: string, value: unknown): EmbeddingVector[] {
  const isVector = (item: unknown): item is EmbeddingVector => {
    const { id, values, metadata } = (item ?? {}) as Partial<EmbeddingVector>;
    return (
      typeof id === 'string' &&
      Array.isArray(values) &&
      values.every((v) => typeof v === 'number') &&
      typeof metadata === 'object' &&
      metadata !== null &&
      !Array.isArray(metadata)
    );
  };
  if (!Array.isArray(value) || !value.every(isVector)) {
    throw new InvalidValueError('delta', `${where} is not a list of vectors`);
  }
  return value;
}
