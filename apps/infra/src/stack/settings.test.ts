import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { SettingsError, settingsFromContext } from './settings.js';

const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/receipts/stream/2026-01-17T10:00:00.000';
const from = (context: Record<string, unknown>) => settingsFromContext((key) => context[key]);

describe('the deployment settings', () => {
  it('default to a table of its own, inline mode, the receipt-gate service and 30 days of logs', () => {
    expect(from({})).toEqual({
      table: { kind: 'create' },
      mode: 'inline',
      merchantRecord: 'place',
      serviceName: 'receipt-gate',
      logRetention: RetentionDays.ONE_MONTH,
    });
  });

  it('import an existing table by name and stream ARN', () => {
    expect(from({ tableName: 'receipts', tableStreamArn: STREAM_ARN }).table).toEqual({
      kind: 'import',
      tableName: 'receipts',
      tableStreamArn: STREAM_ARN,
    });
  });

  it('read the embeddings location, the alarm topic and the log retention', () => {
    expect(
      from({
        embeddingsUri: 's3://shared-embeddings/receipt-gate/',
        alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall',
        logRetentionDays: '90',
        serviceName: 'receipt-gate-staging',
      }),
    ).toMatchObject({
      embeddings: { bucketName: 'shared-embeddings', prefix: 'receipt-gate' },
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall',
      logRetention: RetentionDays.THREE_MONTHS,
      serviceName: 'receipt-gate-staging',
    });
  });

  it('accept event mode on an imported table: the dispatcher stays its one stream reader of ours', () => {
    expect(from({ tableName: 'receipts', tableStreamArn: STREAM_ARN, mode: 'event' })).toMatchObject({
      mode: 'event',
      table: { kind: 'import', tableName: 'receipts' },
    });
  });

  it.each([
    [{ tableName: 'receipts' }, 'tableName and tableStreamArn go together'],
    [{ tableStreamArn: STREAM_ARN }, 'tableName and tableStreamArn go together'],
    [{ tableName: 'other', tableStreamArn: STREAM_ARN }, 'must be the stream ARN of table other'],
    [{ mode: 'sometimes' }, 'mode must be one of inline | event'],
    [{ logRetentionDays: '8' }, 'logRetentionDays must be one of'],
    [{ embeddingsUri: 'https://bucket/prefix' }, 'embeddingsUri must be s3://bucket/prefix'],
    [{ alarmTopicArn: 'oncall' }, 'alarmTopicArn must be an SNS topic ARN'],
    [{ serviceName: 'receipt gate' }, 'serviceName must be'],
    [{ mode: ['event'] }, 'mode must be a string'],
  ])('refuse %j, saying why', (context, problem) => {
    expect(() => from(context)).toThrow(SettingsError);
    expect(() => from(context)).toThrow(problem);
  });

  it('report every bad setting at once', () => {
    expect(() => from({ mode: 'x', logRetentionDays: 'y' })).toThrow(
      /mode must be .*; logRetentionDays must be/,
    );
  });
});
