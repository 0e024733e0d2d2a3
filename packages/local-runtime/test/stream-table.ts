import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../src/dynamodb-local/dynamodb-local.js';

/** A fresh PK/SK table with a NEW_AND_OLD_IMAGES stream on the run's DynamoDB Local; `drop` deletes it. */
export async function freshStreamTable(prefix = 'stream') {
  const client = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const { TableDescription } = await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  const streamArn = TableDescription?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} was created without a stream`);
  return {
    client,
    tableName,
    streamArn,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}

/** The id of the stream's first shard (DynamoDB Local gives a new table one). */
export async function firstShardId(streams: DynamoDBStreamsClient, streamArn: string): Promise<string> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shardId = StreamDescription?.Shards?.[0]?.ShardId;
  if (!shardId) throw new Error(`stream ${streamArn} has no shard`);
  return shardId;
}

/** Waits until the stream's first shard holds `count` records, so a TRIM_HORIZON reader gets them in one read. */
export async function streamHolds(streams: DynamoDBStreamsClient, streamArn: string, count: number) {
  const ShardId = await firstShardId(streams, streamArn);
  for (let attempt = 0; attempt < 100; attempt++) {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator }));
    if (Records.length >= count) return;
    await sleep(20);
  }
  throw new Error(`the stream never held ${count} records`);
}
