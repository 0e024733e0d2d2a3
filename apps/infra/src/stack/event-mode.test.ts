import { VALIDATION_FILTERS, VALIDATION_STREAM_SETTINGS } from '@receipt-gate/lambda/deployment';
import { afterAll, describe, expect, it } from 'vitest';
import { actionsOfService, actionsOn, logicalId, roleStatements, synthesize } from './synth.test-support.js';
import { TABLE_ACTIONS } from './table-access.js';

// `event` mode on a table of its own: a settled run's stream record starts the validation.
const { template, cleanup } = synthesize({ mode: 'event' });
afterAll(cleanup);

const table = logicalId(template, 'AWS::DynamoDB::Table', 'Table');
const validation = logicalId(template, 'AWS::Lambda::Function', 'ValidationFunction');
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('event mode', () => {
  it('adds the validation function, with its own environment and log group', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Environment: {
        Variables: {
          TABLE_NAME: { Ref: table },
          RECEIPT_GATE_MODE: 'event',
          POWERTOOLS_SERVICE_NAME: 'receipt-gate',
          NODE_OPTIONS: '--enable-source-maps',
          DELTAS_BUCKET: { Ref: logicalId(template, 'AWS::S3::Bucket', 'EmbeddingsDeltasBucket') },
        },
      },
      LoggingConfig: { LogGroup: { Ref: logicalId(template, 'AWS::Logs::LogGroup', 'ValidationLogs') } },
    });
  });

  it('feeds it settled runs through a second stream mapping, with the validation settings and its own queue', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    const settings = VALIDATION_STREAM_SETTINGS;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: validation },
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      FilterCriteria: {
        Filters: VALIDATION_FILTERS.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
      BatchSize: settings.batchSize,
      ParallelizationFactor: settings.parallelizationFactor,
      MaximumBatchingWindowInSeconds: settings.maximumBatchingWindowInSeconds,
      MaximumRetryAttempts: settings.maximumRetryAttempts,
      MaximumRecordAgeInSeconds: settings.maximumRecordAgeInSeconds,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: arn(logicalId(template, 'AWS::SQS::Queue', 'ValidationStreamOnFailure')) },
      },
    });
  });

  it('gives the guarded label write to the validation only; the upload just stores', () => {
    const validationRole = roleStatements(template, 'Validation');
    expect(actionsOn(validationRole, arn(table))).toEqual([...TABLE_ACTIONS.validation].sort());
    expect(actionsOn(validationRole, arn(table))).toContain('dynamodb:ConditionCheckItem');
    expect(actionsOfService(validationRole, 's3')).toEqual([]);
    const uploadRole = roleStatements(template, 'Upload');
    expect(actionsOn(uploadRole, arn(table))).toEqual([...TABLE_ACTIONS.upload].sort());
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: arn(logicalId(template, 'AWS::IAM::Role', 'UploadRole')),
      Timeout: 60,
      Environment: { Variables: { RECEIPT_GATE_MODE: 'event' } },
    });
  });

  it('alarms on both mappings and all three functions', () => {
    const metrics = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.MetricName,
    );
    expect(metrics.filter((metric) => metric === 'IteratorAge')).toHaveLength(2);
    expect(metrics.filter((metric) => metric === 'ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(metrics.filter((metric) => metric === 'Errors')).toHaveLength(3);
  });
});
