// The augmented module must be loaded for the augmentation to apply; a type-only import loads nothing at run time.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from './dynamodb-local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/**
 * A vitest global setup: one DynamoDB Local for the whole test run, its endpoint provided as `dynamoEndpoint`,
 * stopped when the run ends (and with this process in any case).
 */
export default async function setup(project: TestProject) {
  const local = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', local.endpoint);
  return () => local.stop();
}
