import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  DeleteTableCommand,
  DynamoDBClient,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDbLocal,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  startDynamoDbLocal,
} from '@receipt-gate/local-runtime';
import { afterAll, beforeAll, inject } from 'vitest';
import { ensureTable } from '../src/adapters/dynamodb/table-schema.js';

let ownEndpoint: string | undefined;

/** The endpoint of this file's DynamoDB Local: its own (`useOwnDynamoDbLocal`), or the run's. */
export function dynamoEndpoint(): string {
  return ownEndpoint ?? inject('dynamoEndpoint');
}

/**
 * Gives this test file a DynamoDB Local of its own, started before its tests (call it before any hook that makes a
 * table) and stopped after them. For suites that write tens of thousands of items: DynamoDB Local slows every
 * write to a table with a stream while another table's stream holds many records, so on the run's instance such a
 * suite would slow every file after it.
 */
export function useOwnDynamoDbLocal(): void {
  let local: DynamoDbLocal | undefined;
  beforeAll(async () => {
    local = await startDynamoDbLocal({ readyTimeoutMs: 120_000 });
    ownEndpoint = local.endpoint;
  }, 150_000);
  afterAll(async () => {
    ownEndpoint = undefined;
    await local?.stop();
  });
}

/** A client of this file's DynamoDB Local. */
export function localClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: dynamoEndpoint(),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
}

/** A fresh table for one test file, with its stream; `items` reads it whole, `drop` deletes it. */
export async function freshTable(prefix = 'receipts') {
  const client = localClient();
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const streamArn = await ensureTable(client, tableName);
  return {
    client,
    tableName,
    streamArn,
    /** Every item of the table, by strongly consistent scans. */
    items: async (): Promise<Record<string, AttributeValue>[]> => {
      const items: Record<string, AttributeValue>[] = [];
      for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
        items.push(...(page.Items ?? []));
      }
      return items;
    },
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
