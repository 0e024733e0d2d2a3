import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

const gsi = (name: string, hash: string, range?: string) => ({
  IndexName: name,
  KeySchema: [
    { AttributeName: hash, KeyType: 'HASH' as const },
    ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : []),
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

/**
 * The shared single table in its current format: keys, GSI1-4 and the type index (projection ALL), and a
 * NEW_AND_OLD_IMAGES stream.
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      'PK',
      'SK',
      'GSI1PK',
      'GSI1SK',
      'GSI2PK',
      'GSI2SK',
      'GSI3PK',
      'GSI3SK',
      'GSI4PK',
      'GSI4SK',
      'TYPE',
    ].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    GlobalSecondaryIndexes: [
      gsi('GSI1', 'GSI1PK', 'GSI1SK'),
      gsi('GSI2', 'GSI2PK', 'GSI2SK'),
      gsi('GSI3', 'GSI3PK', 'GSI3SK'),
      gsi('GSI4', 'GSI4PK', 'GSI4SK'),
      gsi('GSITYPE', 'TYPE'),
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

/** Creates the table (and its TTL attribute) unless it exists; returns the stream ARN. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<string> {
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: 'time_to_live', Enabled: true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn)
    throw new Error(`table ${tableName} has no stream; it must have NEW_AND_OLD_IMAGES`);
  return Table.LatestStreamArn;
}
