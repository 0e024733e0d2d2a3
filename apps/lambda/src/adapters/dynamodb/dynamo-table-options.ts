import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** What every DynamoDB adapter is constructed with: the shared table of data-model.md. */
export interface DynamoTableOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** The part of the client the adapters' helpers use (a stub with `send` stands in for it in unit tests). */
export type DynamoSend = Pick<DynamoDBClient, 'send'>;
