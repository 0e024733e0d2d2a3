import { S3Client } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  readonly region: string;
  /** An S3-compatible endpoint (s3rver, MinIO); addressed path-style. Unset means AWS. */
  readonly endpoint?: string;
  /** Requests per call, the first included (the SDK's standard retry of transient failures). */
  readonly maxAttempts: number;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export function createS3Client(options: S3ClientOptions): S3Client {
  return new S3Client({
    region: options.region,
    maxAttempts: options.maxAttempts,
    ...(options.endpoint && { endpoint: options.endpoint, forcePathStyle: true }),
    ...(options.credentials && { credentials: { ...options.credentials } }),
  });
}
