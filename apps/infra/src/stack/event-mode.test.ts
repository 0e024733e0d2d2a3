import {
  DISPATCHER_STREAM_SETTINGS,
  dispatcherFilters,
  VALIDATION_INVOKE_SETTINGS,
} from '@receipt-gate/lambda/deployment';
import { afterAll, describe, expect, it } from 'vitest';
import { actionsOfService, actionsOn, logicalId, roleStatements, synthesize } from './synth.test-support.js';
import { TABLE_ACTIONS } from './table-access.js';

// `event` mode on a table of its own: the dispatcher hands each settled run to the validation, asynchronously.
const { template, cleanup } = synthesize({ mode: 'event' });
afterAll(cleanup);

const table = logicalId(template, 'AWS::DynamoDB::Table', 'Table');
const validation = logicalId(template, 'AWS::Lambda::Function', 'ValidationFunction');
const dispatcher = logicalId(template, 'AWS::Lambda::Function', 'DispatcherFunction');
const failures = logicalId(template, 'AWS::SQS::Queue', 'ValidationFailures');
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
          MERCHANT_RECORD: 'place',
          POWERTOOLS_SERVICE_NAME: 'receipt-gate',
          NODE_OPTIONS: '--enable-source-maps',
          DELTAS_BUCKET: { Ref: logicalId(template, 'AWS::S3::Bucket', 'EmbeddingsDeltasBucket') },
        },
      },
      LoggingConfig: { LogGroup: { Ref: logicalId(template, 'AWS::Logs::LogGroup', 'ValidationLogs') } },
    });
  });

  it("still reads the stream through one mapping: the dispatcher, which also takes the run MODIFYs, within Lambda's five filters", () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const filters = dispatcherFilters('RECEIPT_PLACE', true);
    expect(filters.length).toBeLessThanOrEqual(5);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: dispatcher },
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      FilterCriteria: { Filters: filters.map((pattern) => ({ Pattern: JSON.stringify(pattern) })) },
      ParallelizationFactor: DISPATCHER_STREAM_SETTINGS.parallelizationFactor,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { VALIDATION_FUNCTION_NAME: { Ref: validation } } },
    });
  });

  it('invokes the validation asynchronously, with bounded retries and age and an SQS on-failure destination', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: validation },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: VALIDATION_INVOKE_SETTINGS.maximumRetryAttempts,
      MaximumEventAgeInSeconds: VALIDATION_INVOKE_SETTINGS.maximumEventAgeInSeconds,
      DestinationConfig: { OnFailure: { Destination: arn(failures) } },
    });
    expect(actionsOn(roleStatements(template, 'Validation'), arn(failures))).toContain('sqs:SendMessage');
  });

  it('lets the dispatcher invoke the validation function and nothing else', () => {
    const role = roleStatements(template, 'Dispatcher');
    expect(actionsOfService(role, 'lambda')).toEqual(['lambda:InvokeFunction']);
    expect(actionsOn(role, arn(validation))).toEqual(['lambda:InvokeFunction']);
  });

  it('gives the guarded label write to the validation only; the upload just stores', () => {
    const validationRole = roleStatements(template, 'Validation');
    expect(actionsOn(validationRole, arn(table))).toEqual([...TABLE_ACTIONS.validation].sort());
    expect(actionsOn(validationRole, arn(table))).toContain('dynamodb:ConditionCheckItem');
    expect(actionsOfService(validationRole, 's3')).toEqual([]);
    expect(actionsOfService(validationRole, 'lambda')).toEqual([]);
    const uploadRole = roleStatements(template, 'Upload');
    expect(actionsOn(uploadRole, arn(table))).toEqual([...TABLE_ACTIONS.upload].sort());
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: arn(logicalId(template, 'AWS::IAM::Role', 'UploadRole')),
      Timeout: 60,
      Environment: { Variables: { RECEIPT_GATE_MODE: 'event' } },
    });
  });

  it('alarms on the one mapping, the three queues and all three functions', () => {
    const metrics = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties.MetricName,
    );
    expect(metrics.filter((metric) => metric === 'IteratorAge')).toHaveLength(1);
    expect(metrics.filter((metric) => metric === 'ApproximateNumberOfMessagesVisible')).toHaveLength(3);
    expect(metrics.filter((metric) => metric === 'Errors')).toHaveLength(3);
  });
});
