import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { actionsOn, roleStatements, synthesize } from './synth.test-support.js';
import { TABLE_ACTIONS } from './table-access.js';

const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/receipts/stream/2026-01-17T10:00:00.000';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:oncall';

// The live shared table, imported; the collections in an existing bucket; alarms to the on-call topic.
const { template, cleanup } = synthesize({
  tableName: 'receipts',
  tableStreamArn: STREAM_ARN,
  embeddingsUri: 's3://shared-embeddings/receipt-gate',
  alarmTopicArn: TOPIC_ARN,
});
afterAll(cleanup);

const tableArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':dynamodb:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':table/receipts',
    ],
  ],
};

describe('an imported table', () => {
  it('is used as it is: no table in the stack, its name given to the functions', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TABLE_NAME: 'receipts', RECEIPT_GATE_MODE: 'inline' }) },
    });
  });

  it('is read through one stream mapping of ours, the dispatcher’s, from now on (its history is the other services’)', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: STREAM_ARN,
      StartingPosition: 'LATEST',
    });
  });

  it('is granted by name and stream ARN, with the same named actions', () => {
    const compaction = roleStatements(template, 'Dispatcher');
    expect(actionsOn(compaction, tableArn)).toEqual([...TABLE_ACTIONS.compaction].sort());
    expect(actionsOn(compaction, STREAM_ARN)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    expect(actionsOn(roleStatements(template, 'Upload'), tableArn)).toContain('dynamodb:ConditionCheckItem');
  });
});

describe('an existing embeddings location', () => {
  const objects = {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::shared-embeddings/receipt-gate/*']],
  };

  it('replaces the collections bucket: the compactor gets its URI and rights on its prefix only', () => {
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EMBEDDINGS_URI: 's3://shared-embeddings/receipt-gate' }) },
    });
    expect(actionsOn(roleStatements(template, 'Dispatcher'), objects)).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
  });
});

describe('an alarm topic', () => {
  it('is notified by every alarm', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([TOPIC_ARN]);
  });
});
