import type { _Record, AttributeValue as StreamAttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { toLambdaAttributeValue, toLambdaRecord } from './to-lambda-record.js';

const source = {
  streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026',
  region: 'us-east-1',
};

describe('toLambdaRecord', () => {
  it('gives the record the shape Lambda delivers: epoch seconds, wire JSON images, the source added', () => {
    const record: _Record = {
      eventID: 'e1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-01-02T03:04:05.678Z'),
        Keys: { PK: { S: 'A' } },
        NewImage: { PK: { S: 'A' }, n: { N: '2' } },
        OldImage: { PK: { S: 'A' }, n: { N: '1' } },
        SequenceNumber: '000000000000000000007',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    const lambdaRecord = toLambdaRecord(record, source);
    expect(lambdaRecord).toStrictEqual({
      eventID: 'e1',
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: Date.UTC(2026, 0, 2, 3, 4, 5) / 1000,
        Keys: { PK: { S: 'A' } },
        NewImage: { PK: { S: 'A' }, n: { N: '2' } },
        OldImage: { PK: { S: 'A' }, n: { N: '1' } },
        SequenceNumber: '000000000000000000007',
        SizeBytes: 42,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: source.streamArn,
    });
    expect(JSON.parse(JSON.stringify(lambdaRecord))).toStrictEqual(lambdaRecord);
  });

  it('leaves out the images a record does not have, and keeps the TTL user identity', () => {
    const removal = toLambdaRecord(
      {
        eventID: 'e2',
        eventName: 'REMOVE',
        eventVersion: '1.1',
        dynamodb: { Keys: { PK: { S: 'A' } }, OldImage: { PK: { S: 'A' } }, SequenceNumber: '9' },
        userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' },
      },
      source,
    );
    expect(removal.dynamodb).toStrictEqual({
      Keys: { PK: { S: 'A' } },
      OldImage: { PK: { S: 'A' } },
      SequenceNumber: '9',
    });
    expect(Object.keys(removal.dynamodb ?? {})).not.toContain('NewImage');
    expect(removal.userIdentity).toStrictEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
  });

  it('turns every attribute type back into wire JSON, binary as base64', () => {
    expect(
      toLambdaAttributeValue({
        M: {
          s: { S: 'x' },
          n: { N: '1.5' },
          b: { B: new Uint8Array([1, 2, 3]) },
          bool: { BOOL: false },
          nil: { NULL: true },
          ss: { SS: ['a'] },
          ns: { NS: ['1'] },
          bs: { BS: [new Uint8Array([255])] },
          l: { L: [{ S: 'y' }, { M: { z: { N: '0' } } }] },
        },
      }),
    ).toStrictEqual({
      M: {
        s: { S: 'x' },
        n: { N: '1.5' },
        b: { B: 'AQID' },
        bool: { BOOL: false },
        nil: { NULL: true },
        ss: { SS: ['a'] },
        ns: { NS: ['1'] },
        bs: { BS: ['/w=='] },
        l: { L: [{ S: 'y' }, { M: { z: { N: '0' } } }] },
      },
    });
  });
});

describe('toLambdaRecord with hostile attribute names', () => {
  it('keeps __proto__, constructor and prototype as own attributes at every depth, polluting nothing', () => {
    const image: Record<string, StreamAttributeValue> = {};
    Object.defineProperty(image, '__proto__', {
      value: { M: { constructor: { S: 'c' }, prototype: { L: [{ M: { toString: { N: '1' } } }] } } },
      enumerable: true,
    });
    Object.defineProperty(image, 'constructor', { value: { S: 'x' }, enumerable: true });
    const converted = toLambdaRecord({ dynamodb: { NewImage: image, SequenceNumber: '1' } }, source);
    const newImage = converted.dynamodb?.NewImage ?? {};
    expect(Object.keys(newImage)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(newImage)).toBe(Object.prototype);
    // Compared as text: an own `constructor` attribute confuses deep equality's type check.
    const text =
      '{"__proto__":{"M":{"constructor":{"S":"c"},"prototype":{"L":[{"M":{"toString":{"N":"1"}}}]}}},"constructor":{"S":"x"}}';
    expect(JSON.stringify(newImage)).toBe(text);
    // What the handler gets: each invocation's copy keeps the attribute as an attribute.
    expect(JSON.stringify(structuredClone(newImage))).toBe(text);
    expect(({} as Record<string, unknown>).M).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('M');
  });

  it('leaves out an attribute the SDK parsed to no value, names its path, and still converts the record', () => {
    // What @smithy/core 3.41 hands over for a map key named __proto__: the key, with its value gone.
    const nested: Record<string, StreamAttributeValue> = { kept: { S: 'k' } };
    Object.defineProperty(nested, '__proto__', { value: undefined, enumerable: true });
    const lost: string[] = [];
    const converted = toLambdaRecord(
      {
        dynamodb: {
          Keys: { PK: { S: 'A' } },
          NewImage: { PK: { S: 'A' }, data: { M: nested }, list: { L: [{ S: 'a' }, undefined as never] } },
        },
      },
      source,
      (path) => lost.push(path),
    );
    expect(lost).toEqual(['NewImage.data.__proto__', 'NewImage.list[1]']);
    expect(converted.dynamodb?.NewImage).toStrictEqual({
      PK: { S: 'A' },
      data: { M: { kept: { S: 'k' } } },
      list: { L: [{ S: 'a' }] },
    });
  });

  it('passes a type the SDK does not know through as its wire JSON, and refuses a value that is none', () => {
    expect(toLambdaAttributeValue({ $unknown: ['VEC', [1, 2]] } as StreamAttributeValue)).toStrictEqual({
      VEC: [1, 2],
    });
    expect(() => toLambdaAttributeValue({} as StreamAttributeValue)).toThrow(TypeError);
  });
});
