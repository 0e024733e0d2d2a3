import {
  type AttributeValue,
  type DynamoDBClient,
  paginateScan,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

/** Every item of a table, page after page (strongly consistent when asked). */
export async function scanTable(
  client: DynamoDBClient,
  tableName: string,
  options: Pick<ScanCommandInput, 'ConsistentRead'> = {},
): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of paginateScan({ client }, { TableName: tableName, ...options })) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

/** How many items a table holds, counted by the server page after page. */
export async function countTable(client: DynamoDBClient, tableName: string): Promise<number> {
  let count = 0;
  for await (const page of paginateScan({ client }, { TableName: tableName, Select: 'COUNT' })) {
    count += page.Count ?? 0;
  }
  return count;
}
