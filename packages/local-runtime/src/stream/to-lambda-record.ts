import type { _Record, AttributeValue as StreamAttributeValue } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, StreamRecord } from 'aws-lambda';

/** Where the records come from, as Lambda names it in every record. */
export interface RecordSource {
  readonly streamArn: string;
  /** The region Lambda reports; DynamoDB Local says `ddblocal` in its own records. */
  readonly region: string;
}

type Image = Record<string, StreamAttributeValue>;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** The SDK's typed attribute value back to the wire JSON Lambda delivers (binary as base64). */
export function toLambdaAttributeValue(value: StreamAttributeValue): AttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttributeValue) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  throw new TypeError(`unknown attribute value type: ${JSON.stringify(value.$unknown?.[0])}`);
}

function toLambdaImage(image: Image): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(image).map(([name, value]) => [name, toLambdaAttributeValue(value)]),
  );
}

/**
 * A DynamoDB Streams record (SDK v3 shape) as Lambda's event source mapping delivers it: images in attribute-value
 * JSON, `ApproximateCreationDateTime` in epoch seconds, absent fields left out, the stream ARN and region added.
 */
export function toLambdaRecord(record: _Record, source: RecordSource): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const dynamodb: StreamRecord = {};
  if (stream.ApproximateCreationDateTime)
    dynamodb.ApproximateCreationDateTime = Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000);
  if (stream.Keys) dynamodb.Keys = toLambdaImage(stream.Keys);
  if (stream.NewImage) dynamodb.NewImage = toLambdaImage(stream.NewImage);
  if (stream.OldImage) dynamodb.OldImage = toLambdaImage(stream.OldImage);
  if (stream.SequenceNumber !== undefined) dynamodb.SequenceNumber = stream.SequenceNumber;
  if (stream.SizeBytes !== undefined) dynamodb.SizeBytes = stream.SizeBytes;
  if (stream.StreamViewType) dynamodb.StreamViewType = stream.StreamViewType;

  const lambdaRecord: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: source.region,
    dynamodb,
    eventSourceARN: source.streamArn,
  };
  // Present only on deletions made by TTL; Lambda spells its fields in camel case.
  if (record.userIdentity)
    lambdaRecord.userIdentity = {
      type: record.userIdentity.Type,
      principalId: record.userIdentity.PrincipalId,
    };
  return lambdaRecord;
}
