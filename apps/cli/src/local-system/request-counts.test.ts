import { Readable } from 'node:stream';
import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '@receipt-gate/local-runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestCounts } from './request-counts.js';

/** Answers each request with the next reply (status and JSON body), as DynamoDB would over HTTP. */
function scripted(replies: { status: number; body: object }[]) {
  return {
    handle: async () => {
      const reply = replies.shift() ?? { status: 200, body: {} };
      return {
        response: {
          statusCode: reply.status,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(JSON.stringify(reply.body))]),
        },
      };
    },
  };
}

const clients: { destroy(): void }[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

function client(replies: { status: number; body: object }[]) {
  const made = new DynamoDBClient({
    endpoint: 'http://127.0.0.1:1',
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: scripted(replies),
    maxAttempts: 3,
  });
  clients.push(made);
  return made;
}

const serverError = { status: 500, body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError' } };
const key = { PK: { S: 'a' }, SK: { S: 'b' } };

describe('RequestCounts', () => {
  it('counts a command once and each of its attempts on the wire', async () => {
    const counts = new RequestCounts();
    const retried = client([serverError, { status: 200, body: {} }]);
    counts.attach(retried);

    await retried.send(new GetItemCommand({ TableName: 't', Key: key }));

    expect(counts.commands).toEqual(new Map([['GetItem', 1]]));
    expect(counts.attempts).toEqual(new Map([['GetItem', 2]]));
  });

  it('counts the actions of a transaction, and what was sent since a snapshot', async () => {
    const counts = new RequestCounts();
    const sender = client([]);
    counts.attach(sender);
    await sender.send(new GetItemCommand({ TableName: 't', Key: key }));
    const before = counts.snapshot();

    await sender.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { ConditionCheck: { TableName: 't', Key: key, ConditionExpression: 'attribute_exists(PK)' } },
          { Put: { TableName: 't', Item: key } },
        ],
      }),
    );

    expect(counts.transactionActions).toBe(2);
    expect(counts.since(before)).toEqual({
      commands: new Map([['TransactWriteItems', 1]]),
      attempts: new Map([['TransactWriteItems', 1]]),
      transactionActions: 2,
    });
  });

  it('counts a streams client by its operations too', async () => {
    const counts = new RequestCounts();
    const streams = new DynamoDBStreamsClient({
      endpoint: 'http://127.0.0.1:1',
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      requestHandler: scripted([{ status: 200, body: { Records: [] } }]),
    });
    clients.push(streams);
    counts.attach(streams);

    await streams.send(new GetRecordsCommand({ ShardIterator: 'iterator' }));

    expect(counts.commands).toEqual(new Map([['GetRecords', 1]]));
  });
});
