import {
  DISPATCHER_STREAM_SETTINGS,
  dispatcherFilters,
  type LambdaFunctionName,
  RECEIPT_METADATA_TYPE,
  RECEIPT_PLACE_TYPE,
  VALIDATION_INVOKE_SETTINGS,
} from '@receipt-gate/lambda/deployment';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Construct } from 'constructs';
import { EmbeddingStorage } from './embedding-storage.js';
import { Monitoring } from './monitoring.js';
import { setAsideQueue } from './queues.js';
import { ReceiptGateFunction, type ReceiptGateFunctionProps } from './receipt-gate-function.js';
import { receiptTable } from './receipt-table.js';
import type { ReceiptGateSettings } from './settings.js';
import { StreamMapping } from './stream-mapping.js';
import { tableStatement } from './table-access.js';

export interface ReceiptGateStackProps extends StackProps {
  readonly settings: ReceiptGateSettings;
  /** The built artifact folder of each function (see `buildFunctionBundles`). */
  readonly bundles: Readonly<Record<LambdaFunctionName, string>>;
}

/** The inline validation waits up to the gate's 120 s budget, plus the writes before and after it. */
const INLINE_UPLOAD_TIMEOUT = Duration.minutes(3);
const EVENT_UPLOAD_TIMEOUT = Duration.minutes(1);
/** A stream batch: its receipts' merges run concurrently, each bounded by the merge time. */
const DISPATCHER_TIMEOUT = Duration.minutes(5);
const VALIDATION_TIMEOUT = Duration.minutes(5);
const MEMORY_MB = 1024;

/** What differs between the functions; the bundle, memory and log retention come from the stack. */
type FunctionSpecifics = Omit<ReceiptGateFunctionProps, 'bundleDir' | 'logRetention' | 'memorySize'>;

/** `upload` -> `Upload`: the function's construct id (and the start of its resources' logical ids). */
const constructId = (name: LambdaFunctionName) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * receipt-gate on AWS: the shared table (created, or the existing one), the embeddings' storage, the upload and
 * dispatcher functions and (in `event` mode) the validation function, and their alarms and dashboard.
 *
 * Topology: one stream mapping of ours reads the table (DynamoDB serves two readers per shard, and the shared
 * table already has one): the dispatcher. It runs the compactor and, in `event` mode, hands each settled run to
 * the validation function by an asynchronous invocation, which has its own bounded retries and an SQS on-failure
 * destination. Records the dispatcher can never apply go to its dead-letter queue.
 */
export class ReceiptGateStack extends Stack {
  readonly functions: Partial<Record<LambdaFunctionName, ReceiptGateFunction>>;

  constructor(scope: Construct, id: string, props: ReceiptGateStackProps) {
    super(scope, id, props);
    const { settings, bundles } = props;
    const table = receiptTable(this, settings.table);
    const storage = new EmbeddingStorage(this, 'Embeddings', {
      ...(settings.embeddings && { embeddings: settings.embeddings }),
    });
    // Every function's configuration names the table and the deltas bucket; only the grants differ.
    const common = {
      TABLE_NAME: table.tableName,
      RECEIPT_GATE_MODE: settings.mode,
      MERCHANT_RECORD: settings.merchantRecord,
      POWERTOOLS_SERVICE_NAME: settings.serviceName,
      DELTAS_BUCKET: storage.deltasBucket.bucketName,
    };
    const fn = (name: LambdaFunctionName, props: FunctionSpecifics) =>
      new ReceiptGateFunction(this, constructId(name), {
        ...props,
        bundleDir: bundles[name],
        logRetention: settings.logRetention,
        memorySize: MEMORY_MB,
      });

    const inline = settings.mode === 'inline';
    const upload = fn('upload', {
      description: inline
        ? 'receipt-gate upload: stores an OCR result and its deltas, then validates it behind the gate'
        : 'receipt-gate upload: stores an OCR result, its deltas and its compaction run',
      timeout: inline ? INLINE_UPLOAD_TIMEOUT : EVENT_UPLOAD_TIMEOUT,
      environment: common,
      statements: [tableStatement(table.tableArn, inline ? ['upload', 'validation'] : ['upload'])],
    });
    storage.grantDeltaWrite(upload);
    this.functions = { upload };
    const queues: Record<string, { queue: ReturnType<typeof setAsideQueue>; description: string }> = {};

    // `event` mode: the validation, invoked asynchronously by the dispatcher; a failure is retried a bounded
    // number of times, then its event goes to the on-failure queue.
    let validation: ReceiptGateFunction | undefined;
    if (!inline) {
      validation = fn('validation', {
        description: 'receipt-gate validation: labels a receipt once its compaction has settled',
        timeout: VALIDATION_TIMEOUT,
        environment: common,
        statements: [tableStatement(table.tableArn, ['validation'])],
      });
      const failures = setAsideQueue(this, 'ValidationFailures', 'the validations given up on');
      validation.function.configureAsyncInvoke({
        retryAttempts: VALIDATION_INVOKE_SETTINGS.maximumRetryAttempts,
        maxEventAge: Duration.seconds(VALIDATION_INVOKE_SETTINGS.maximumEventAgeInSeconds),
        onFailure: new SqsDestination(failures),
      });
      queues.ValidationFailures = {
        queue: failures,
        description: 'Validations failed after their retries: their events wait in the queue to be redriven.',
      };
      this.functions.validation = validation;
    }

    const deadLetters = setAsideQueue(
      this,
      'DispatcherDeadLetters',
      'the stream records that can never be applied',
    );
    queues.DispatcherDeadLetters = {
      queue: deadLetters,
      description:
        'The dispatcher met stream records it can never apply: they wait, with the reason, in its dead-letter queue.',
    };
    const dispatcher = fn('dispatcher', {
      description: inline
        ? 'receipt-gate dispatcher: the stream reader; merges deltas into the embeddings, follows label and merchant changes'
        : 'receipt-gate dispatcher: the stream reader; compacts, and hands settled runs to the validation',
      timeout: DISPATCHER_TIMEOUT,
      environment: {
        ...common,
        EMBEDDINGS_URI: storage.embeddingsUri,
        DEAD_LETTER_QUEUE_URL: deadLetters.queueUrl,
        ...(validation && { VALIDATION_FUNCTION_NAME: validation.function.functionName }),
      },
      statements: [
        tableStatement(table.tableArn, ['compaction']),
        new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [deadLetters.queueArn] }),
        // The validation function, and nothing else, may be invoked.
        ...(validation
          ? [
              new PolicyStatement({
                actions: ['lambda:InvokeFunction'],
                resources: [validation.function.functionArn],
              }),
            ]
          : []),
      ],
    });
    storage.grantDeltaRead(dispatcher);
    storage.grantEmbeddings(dispatcher);
    this.functions.dispatcher = dispatcher;
    // A created table is read from its first record; the live table from now on (its history is not ours).
    const startingPosition = table.created ? StartingPosition.TRIM_HORIZON : StartingPosition.LATEST;
    const streams: Record<string, StreamMapping> = {
      Dispatcher: new StreamMapping(this, 'DispatcherStream', {
        target: dispatcher,
        streamArn: table.streamArn,
        startingPosition,
        filters: dispatcherFilters(
          settings.merchantRecord === 'metadata' ? RECEIPT_METADATA_TYPE : RECEIPT_PLACE_TYPE,
          !inline,
        ),
        settings: DISPATCHER_STREAM_SETTINGS,
      }),
    };

    new Monitoring(this, 'Monitoring', {
      serviceName: settings.serviceName,
      functions: Object.fromEntries(
        Object.entries(this.functions).map(([name, f]) => [constructId(name as LambdaFunctionName), f]),
      ),
      streams,
      queues,
      ...(settings.alarmTopicArn && { alarmTopicArn: settings.alarmTopicArn }),
    });
  }
}
