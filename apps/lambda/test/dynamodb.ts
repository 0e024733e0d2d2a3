import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  DeleteTableCommand,
  DynamoDBClient,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '@receipt-gate/local-runtime';
import { inject } from 'vitest';
import { ensureTable } from '../src/adapters/dynamodb/table-schema.js';

/** A client of the run's DynamoDB Local. */
export function localClient(): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
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
