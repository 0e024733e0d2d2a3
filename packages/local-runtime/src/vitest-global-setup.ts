// The augmented module must be loaded for the augmentation to apply; a type-only import loads nothing at run time.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from './dynamodb-local/dynamodb-local.js';
import { startLocalS3 } from './s3/local-s3.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    /** A local S3-compatible server without buckets: each user creates its own. */
    s3Endpoint: string;
  }
}

/**
 * A vitest global setup: one DynamoDB Local and one local S3 server for the whole test run, their endpoints
 * provided as `dynamoEndpoint` and `s3Endpoint`, stopped when the run ends (and with this process in any case).
 */
export default async function setup(project: TestProject) {
  // Whatever started is stopped when the other fails to start: nothing may outlive the run. A machine busy with
  // other work can take long to start a JVM.
  const started = await Promise.allSettled([
    startDynamoDbLocal({ readyTimeoutMs: 120_000 }),
    startLocalS3({ buckets: [] }),
  ]);
  const [dynamo, storage] = started;
  if (dynamo.status === 'rejected' || storage.status === 'rejected') {
    await Promise.all(
      started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)),
    );
    throw dynamo.status === 'rejected' ? dynamo.reason : (storage as PromiseRejectedResult).reason;
  }
  const [local, s3] = [dynamo.value, storage.value];
  project.provide('dynamoEndpoint', local.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  return async () => {
    await Promise.all([local.stop(), s3.stop()]);
  };
}
