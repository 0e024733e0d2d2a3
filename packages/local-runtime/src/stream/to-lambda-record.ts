import type { _Record, AttributeValue as StreamAttributeValue } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, StreamRecord } from 'aws-lambda';

/** Where the records come from, as Lambda names it in every record. */
export interface RecordSource {
  readonly streamArn: string;
  /** The region Lambda reports; DynamoDB Local says `ddblocal` in its own records. */
  readonly region: string;
}

/** Told the path of every attribute the SDK handed over without a value (see {@link toLambdaRecord}). */
export type OnLostAttribute = (path: string) => void;

type Image = Record<string, StreamAttributeValue>;

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * Adds `name` as an own data property, as `JSON.parse` does for Lambda's runtime: an attribute named `__proto__`
 * stays an attribute and never becomes the object's prototype (plain assignment would set the prototype).
 */
function defineAttribute(target: object, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function convert(value: StreamAttributeValue | undefined, path: string, onLost: OnLostAttribute) {
  if (value === undefined || value === null) {
    onLost(path);
    return undefined;
  }
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.L !== undefined) {
    const list: AttributeValue[] = [];
    value.L.forEach((element, index) => {
      const converted = convert(element, `${path}[${index}]`, onLost);
      if (converted) list.push(converted);
    });
    return { L: list };
  }
  if (value.M !== undefined) return { M: convertImage(value.M, path, onLost) };
  // A type this SDK does not know: Lambda would deliver its wire JSON, which is what the SDK kept.
  const unknown = value.$unknown;
  if (Array.isArray(unknown) && typeof unknown[0] === 'string') {
    const wire = {};
    defineAttribute(wire, unknown[0], unknown[1]);
    return wire as AttributeValue;
  }
  onLost(path);
  return undefined;
}

function convertImage(image: Image, path: string, onLost: OnLostAttribute): Record<string, AttributeValue> {
  const converted: Record<string, AttributeValue> = {};
  for (const name of Object.keys(image)) {
    const value = convert(image[name], path ? `${path}.${name}` : name, onLost);
    if (value) defineAttribute(converted, name, value);
  }
  return converted;
}

/** The SDK's typed attribute value back to the wire JSON Lambda delivers (binary as base64). */
export function toLambdaAttributeValue(value: StreamAttributeValue): AttributeValue {
  const lost: string[] = [];
  const converted = convert(value, '(value)', (path) => lost.push(path));
  if (!converted) throw new TypeError(`not an attribute value: ${JSON.stringify(value)}`);
  if (lost.length > 0) throw new TypeError(`attribute values without a value at ${lost.join(', ')}`);
  return converted;
}

/**
 * A DynamoDB Streams record (SDK v3 shape) as Lambda's event source mapping delivers it: images in attribute-value
 * JSON, `ApproximateCreationDateTime` in epoch seconds, absent fields left out, the stream ARN and region added.
 * Attribute names are kept whatever they are (`__proto__`, `constructor`, ...), as own properties. An attribute
 * the SDK parsed to no value at all is left out and its path given to `onLost`: the SDK's JSON deserializer
 * (`@smithy/core` 3.41) loses the value of a map key named `__proto__` before the pump sees it.
 */
export function toLambdaRecord(
  record: _Record,
  source: RecordSource,
  onLost: OnLostAttribute = () => {},
): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const dynamodb: StreamRecord = {};
  if (stream.ApproximateCreationDateTime)
    dynamodb.ApproximateCreationDateTime = Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000);
  if (stream.Keys) dynamodb.Keys = convertImage(stream.Keys, 'Keys', onLost);
  if (stream.NewImage) dynamodb.NewImage = convertImage(stream.NewImage, 'NewImage', onLost);
  if (stream.OldImage) dynamodb.OldImage = convertImage(stream.OldImage, 'OldImage', onLost);
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
