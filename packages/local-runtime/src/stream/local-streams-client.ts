import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dynamodb-local/dynamodb-local.js';

/** A DynamoDB Streams client of a DynamoDB Local endpoint, for a StreamPump; `destroy()` it when done. */
export function localStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}
