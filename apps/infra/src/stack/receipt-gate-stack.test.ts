import {
  DISPATCHER_STREAM_SETTINGS,
  dispatcherFilters,
  METRICS_NAMESPACE,
  tableDefinition,
} from '@receipt-gate/lambda/deployment';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import {
  actionsOf,
  actionsOfService,
  actionsOn,
  logicalId,
  roleStatements,
  synthesize,
} from './synth.test-support.js';
import { TABLE_ACTIONS } from './table-access.js';

// The default deployment: a table of its own, `inline` mode (the upload validates), no alarm topic.
const { template, cleanup } = synthesize();
afterAll(cleanup);

const table = logicalId(template, 'AWS::DynamoDB::Table', 'Table');
const upload = logicalId(template, 'AWS::Lambda::Function', 'UploadFunction');
const dispatcher = logicalId(template, 'AWS::Lambda::Function', 'DispatcherFunction');
const deltasBucket = logicalId(template, 'AWS::S3::Bucket', 'EmbeddingsDeltasBucket');
const embeddingsBucket = logicalId(template, 'AWS::S3::Bucket', 'EmbeddingsEmbeddingsBucket');
const onFailure = logicalId(template, 'AWS::SQS::Queue', 'DispatcherStreamOnFailure');
const deadLetters = logicalId(template, 'AWS::SQS::Queue', 'DispatcherDeadLetters');
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const objects = (bucket: string, prefix = '') => ({ 'Fn::Join': ['', [arn(bucket), `/${prefix}*`]] });

describe('the table', () => {
  const definition = tableDefinition('any');

  it('is created with the keys, every GSI and the type index of the adapters’ own table definition', () => {
    const props = template.findResources('AWS::DynamoDB::Table')[table]?.Properties;
    expect(props.KeySchema).toEqual(definition.KeySchema);
    expect(props.GlobalSecondaryIndexes).toEqual(definition.GlobalSecondaryIndexes);
    expect(new Set(props.AttributeDefinitions)).toEqual(new Set(definition.AttributeDefinitions));
    const names = props.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName);
    expect(names).toEqual(expect.arrayContaining(['GSI1', 'GSI2', 'GSI3', 'GSITYPE']));
  });

  it('streams NEW_AND_OLD_IMAGES, expires items by time_to_live, and is kept when the stack goes', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'time_to_live', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('the embeddings storage', () => {
  it('is two private, encrypted buckets that refuse plain HTTP and outlive the stack: deltas and collections', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    for (const bucket of [deltasBucket, embeddingsBucket]) {
      expect(template.findResources('AWS::S3::Bucket')[bucket]).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
        },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('the functions', () => {
  it('are the upload and the dispatcher, on Node.js 24 (x86_64), from their bundles, with their environment', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    const common = {
      TABLE_NAME: { Ref: table },
      RECEIPT_GATE_MODE: 'inline',
      POWERTOOLS_SERVICE_NAME: 'receipt-gate',
      NODE_OPTIONS: '--enable-source-maps',
      DELTAS_BUCKET: { Ref: deltasBucket },
    };
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['x86_64'],
      Handler: 'index.handler',
      Timeout: 180,
      Environment: { Variables: common },
      Role: arn(logicalId(template, 'AWS::IAM::Role', 'UploadRole')),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 300,
      Environment: {
        Variables: {
          ...common,
          EMBEDDINGS_URI: { 'Fn::Join': ['', ['s3://', { Ref: embeddingsBucket }, '/embeddings']] },
          DEAD_LETTER_QUEUE_URL: { Ref: deadLetters },
        },
      },
    });
  });

  it('log to their own log groups, kept 30 days', () => {
    for (const [fn, prefix] of [
      [upload, 'UploadLogs'],
      [dispatcher, 'DispatcherLogs'],
    ] as const) {
      const group = logicalId(template, 'AWS::Logs::LogGroup', prefix);
      expect(template.findResources('AWS::Lambda::Function')[fn]?.Properties.LoggingConfig).toEqual({
        LogGroup: { Ref: group },
      });
      expect(template.findResources('AWS::Logs::LogGroup')[group]?.Properties.RetentionInDays).toBe(30);
    }
  });
});

describe('the dispatcher stream mapping', () => {
  it('is the one stream reader, and passes the dispatcher only the records its filters select', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: dispatcher },
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: {
        Filters: dispatcherFilters('RECEIPT_PLACE', false).map((pattern) => ({
          Pattern: JSON.stringify(pattern),
        })),
      },
    });
  });

  it('uses the settings the local stream pump uses, with partial failures and an SQS on-failure destination', () => {
    const settings = DISPATCHER_STREAM_SETTINGS;
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: settings.batchSize,
      ParallelizationFactor: settings.parallelizationFactor,
      MaximumBatchingWindowInSeconds: settings.maximumBatchingWindowInSeconds,
      MaximumRetryAttempts: settings.maximumRetryAttempts,
      MaximumRecordAgeInSeconds: settings.maximumRecordAgeInSeconds,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: arn(onFailure) } },
    });
  });

  it('is created only once the role may read the stream (Lambda checks it at creation)', () => {
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0];
    expect(mapping?.DependsOn).toEqual(
      expect.arrayContaining([logicalId(template, 'AWS::IAM::Policy', 'DispatcherRoleDefaultPolicy')]),
    );
  });
});

describe('least privilege', () => {
  const upload = roleStatements(template, 'Upload');
  const compaction = roleStatements(template, 'Dispatcher');

  it('names every action: no wildcard action, no wildcard resource, no managed policy', () => {
    for (const statement of [...upload, ...compaction]) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      expect(statement.Resource).not.toBe('*');
      expect(statement.Effect).toBe('Allow');
    }
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
  });

  it('lets the inline upload store a receipt and write its labels guarded by a ConditionCheck on the run', () => {
    expect(actionsOn(upload, arn(table))).toEqual(
      [...new Set([...TABLE_ACTIONS.upload, ...TABLE_ACTIONS.validation])].sort(),
    );
    expect(actionsOn(upload, arn(table))).toContain('dynamodb:ConditionCheckItem');
    expect(actionsOn(upload, objects(deltasBucket))).toEqual(['s3:PutObject']);
    expect(actionsOfService(upload, 's3')).toEqual(['s3:PutObject']);
    expect(actionsOfService(upload, 'sqs')).toEqual([]);
  });

  it('lets the dispatcher read the stream, the runs, labels and merchant records, the deltas, and maintain the collections only', () => {
    expect(actionsOn(compaction, arn(table))).toEqual([...TABLE_ACTIONS.compaction].sort());
    expect(actionsOn(compaction, { 'Fn::GetAtt': [table, 'StreamArn'] })).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    expect(actionsOn(compaction, objects(deltasBucket))).toEqual(['s3:GetObject']);
    expect(actionsOn(compaction, objects(embeddingsBucket, 'embeddings/'))).toEqual([
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    expect(compaction.find((statement) => actionsOf(statement).includes('s3:ListBucket'))).toEqual({
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: arn(embeddingsBucket),
      Condition: { StringLike: { 's3:prefix': ['embeddings', 'embeddings/*'] } },
    });
    expect(actionsOn(compaction, arn(onFailure))).toContain('sqs:SendMessage');
    expect(actionsOn(compaction, arn(deadLetters))).toEqual(['sqs:SendMessage']);
    // In inline mode there is no validation function to invoke.
    expect(actionsOfService(compaction, 'lambda')).toEqual([]);
  });

  it('lets each function write its own log group only', () => {
    expect(actionsOn(upload, arn(logicalId(template, 'AWS::Logs::LogGroup', 'UploadLogs')))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(actionsOfService(compaction, 'logs')).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(actionsOn(compaction, arn(logicalId(template, 'AWS::Logs::LogGroup', 'UploadLogs')))).toEqual([]);
  });
});

describe('the alarms and the dashboard', () => {
  const alarm = (props: Record<string, unknown>) =>
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      ...props,
    });

  it('watch the stream mapping: iterator age and the on-failure queue depth', () => {
    alarm({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: dispatcher } }],
      Statistic: 'Maximum',
      Threshold: 300_000,
    });
    alarm({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [onFailure, 'QueueName'] } }],
      Threshold: 0,
    });
  });

  it('watch the dead-letter queue: any record the dispatcher could never apply', () => {
    alarm({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }],
      Threshold: 0,
    });
  });

  it('watch every function for errors', () => {
    for (const fn of [upload, dispatcher]) {
      alarm({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
      });
    }
  });

  it('watch timed-out gates and unguarded label writes, in the namespace and service the functions publish', () => {
    for (const metric of ['GateOutcomeTimedOut', 'UnguardedLabelWrites']) {
      alarm({
        Namespace: METRICS_NAMESPACE,
        MetricName: metric,
        Dimensions: [{ Name: 'service', Value: 'receipt-gate' }],
        Statistic: 'Sum',
        Threshold: 0,
      });
    }
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
  });

  it('notify no one unless a topic is named', () => {
    for (const resource of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(resource.Properties.AlarmActions).toBeUndefined();
    }
  });

  it('show on one dashboard with the stream, function and gate metrics', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const metric of [
      'IteratorAge',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'GateOutcomeTimedOut',
      'CompactionChangesDeferred',
      'StreamRecordsDeadLettered',
    ]) {
      expect(body).toContain(metric);
    }
  });
});
