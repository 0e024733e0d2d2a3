import {
  COMPACTION_STREAM_SETTINGS,
  compactionFilters,
  type LambdaFunctionName,
  RECEIPT_METADATA_TYPE,
  RECEIPT_PLACE_TYPE,
  VALIDATION_FILTERS,
  VALIDATION_STREAM_SETTINGS,
} from '@receipt-gate/lambda/deployment';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { EmbeddingStorage } from './embedding-storage.js';
import { Monitoring } from './monitoring.js';
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
/** A stream batch is handled record by record; the budget covers a full batch. */
const COMPACTION_TIMEOUT = Duration.minutes(5);
const VALIDATION_TIMEOUT = Duration.minutes(5);
const MEMORY_MB = 1024;

/** What differs between the functions; the bundle, memory and log retention come from the stack. */
type FunctionSpecifics = Omit<ReceiptGateFunctionProps, 'bundleDir' | 'logRetention' | 'memorySize'>;

/** `upload` -> `Upload`: the function's construct id (and the start of its resources' logical ids). */
const constructId = (name: LambdaFunctionName) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * receipt-gate on AWS: the shared table (created, or the existing one), the embeddings' storage, the upload,
 * compaction and (in `event` mode) validation functions, the stream mappings that feed them, and their alarms and
 * dashboard.
 *
 * Topology: the compactor reads the stream through one mapping; in `event` mode the validation reads it through a
 * second one (both filtered to the records their handler acts on). Moving to a single mapping — a dispatcher that
 * hands settled runs to the validation asynchronously — replaces the validation's `StreamMapping` below with an
 * asynchronous invocation and its own on-failure destination; the rest stays.
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
    const compaction = fn('compaction', {
      description:
        'receipt-gate compaction: merges deltas into the embeddings, patches them on label changes',
      timeout: COMPACTION_TIMEOUT,
      environment: { ...common, EMBEDDINGS_URI: storage.embeddingsUri },
      statements: [tableStatement(table.tableArn, ['compaction'])],
    });
    storage.grantDeltaRead(compaction);
    storage.grantEmbeddings(compaction);
    // A created table is read from its first record; the live table from now on (its history is not ours).
    const startingPosition = table.created ? StartingPosition.TRIM_HORIZON : StartingPosition.LATEST;
    const streams: Record<string, StreamMapping> = {
      Compaction: new StreamMapping(this, 'CompactionStream', {
        target: compaction,
        streamArn: table.streamArn,
        startingPosition,
        filters: compactionFilters(
          settings.merchantRecord === 'metadata' ? RECEIPT_METADATA_TYPE : RECEIPT_PLACE_TYPE,
        ),
        settings: COMPACTION_STREAM_SETTINGS,
      }),
    };
    this.functions = { upload, compaction };

    if (settings.mode === 'event') {
      const validation = fn('validation', {
        description: 'receipt-gate validation: labels a receipt once its compaction has settled',
        timeout: VALIDATION_TIMEOUT,
        environment: common,
        statements: [tableStatement(table.tableArn, ['validation'])],
      });
      streams.Validation = new StreamMapping(this, 'ValidationStream', {
        target: validation,
        streamArn: table.streamArn,
        startingPosition,
        filters: VALIDATION_FILTERS,
        settings: VALIDATION_STREAM_SETTINGS,
      });
      this.functions.validation = validation;
    }

    new Monitoring(this, 'Monitoring', {
      serviceName: settings.serviceName,
      functions: Object.fromEntries(
        Object.entries(this.functions).map(([name, f]) => [constructId(name as LambdaFunctionName), f]),
      ),
      streams,
      ...(settings.alarmTopicArn && { alarmTopicArn: settings.alarmTopicArn }),
    });
  }
}
