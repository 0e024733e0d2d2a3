import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../../../test/dynamodb.js';
import { ensureTable } from './table-schema.js';

describe('ensureTable', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  beforeAll(async () => {
    table = await freshTable();
  });
  afterAll(() => table.drop());

  it('creates the shared table with its keys, GSI1-4 and the type index (projection ALL), stream and TTL', async () => {
    const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual([
      'GSI1',
      'GSI2',
      'GSI3',
      'GSI4',
      'GSITYPE',
    ]);
    const gsi4 = Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === 'GSI4');
    expect(gsi4?.KeySchema).toEqual([
      { AttributeName: 'GSI4PK', KeyType: 'HASH' },
      { AttributeName: 'GSI4SK', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.every((index) => index.Projection?.ProjectionType === 'ALL')).toBe(
      true,
    );
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const ttl = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('time_to_live');
  });

  it('is idempotent: ensuring an existing table returns the same stream', async () => {
    expect(await ensureTable(table.client, table.tableName)).toBe(table.streamArn);
  });
});
