import type { _Record } from '@aws-sdk/client-dynamodb-streams';
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
