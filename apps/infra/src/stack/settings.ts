import type { MerchantRecordFormat } from '@receipt-gate/lambda/deployment';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** A table this stack creates, or the existing shared table, imported by name and stream ARN. */
export type TableSource =
  | { readonly kind: 'create' }
  | { readonly kind: 'import'; readonly tableName: string; readonly tableStreamArn: string };

/** An S3 location: a bucket and a key prefix (no leading or trailing slash; may be empty). */
export interface S3Location {
  readonly bucketName: string;
  readonly prefix: string;
}

/** The deployment's settings, read from the CDK context (`cdk.json`, `-c key=value`). */
export interface ReceiptGateSettings {
  readonly table: TableSource;
  /**
   * `inline`: the upload function awaits the validation; `event`: the dispatcher hands each settled run to the
   * validation function. Either way one stream mapping reads the table.
   */
  readonly mode: 'inline' | 'event';
  /** `MERCHANT_RECORD`: where the table keeps merchant records (`RECEIPT_PLACE`, or legacy `RECEIPT_METADATA`). */
  readonly merchantRecord: MerchantRecordFormat;
  /** `POWERTOOLS_SERVICE_NAME`: the `service` dimension of the metrics the alarms watch. */
  readonly serviceName: string;
  readonly logRetention: RetentionDays;
  /** Where the embedding collections live; default: the `embeddings/` prefix of the deltas bucket. */
  readonly embeddings?: S3Location;
  /** An SNS topic the alarms notify; without one they only change state (and show on the dashboard). */
  readonly alarmTopicArn?: string;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** The context keys this app reads, with what they mean (the README's Deploy section lists the same). */
export const CONTEXT_KEYS = {
  tableName: 'the existing table to use instead of creating one (with tableStreamArn)',
  tableStreamArn: "the existing table's stream ARN (NEW_AND_OLD_IMAGES)",
  mode: 'inline (default) or event',
  merchantRecord: 'place (default: RECEIPT_PLACE) or metadata (legacy RECEIPT_METADATA)',
  serviceName: 'the service name in logs and metrics (default receipt-gate)',
  logRetentionDays: 'days the functions keep their logs (default 30)',
  embeddingsUri: 's3://bucket/prefix of the embedding collections (default: the deltas bucket, embeddings/)',
  alarmTopicArn: 'an SNS topic ARN the alarms notify',
} as const;

const STREAM_ARN =
  /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/([A-Za-z0-9_.-]{3,255})\/stream\/[^/]+$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;
const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const RETENTIONS = new Set<number>(Object.values(RetentionDays).filter((value) => typeof value === 'number'));

/** Reads and checks the settings, reporting every bad one at once. */
export function settingsFromContext(
  context: (key: keyof typeof CONTEXT_KEYS) => unknown,
): ReceiptGateSettings {
  const problems: string[] = [];
  const text = (key: keyof typeof CONTEXT_KEYS): string | undefined => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number') return String(value);
    problems.push(`${key} must be a string, got ${JSON.stringify(value)}`);
    return undefined;
  };

  const tableName = text('tableName');
  const tableStreamArn = text('tableStreamArn');
  // Neither setting: the stack creates the table. Both: it imports the existing one.
  let table: TableSource = { kind: 'create' };
  if (tableName !== undefined || tableStreamArn !== undefined) {
    if (tableName === undefined || tableStreamArn === undefined) {
      problems.push('tableName and tableStreamArn go together: an imported table needs both');
    } else if (!TABLE_NAME.test(tableName)) {
      problems.push(`tableName must be a DynamoDB table name, got "${tableName}"`);
    } else if (STREAM_ARN.exec(tableStreamArn)?.[1] !== tableName) {
      problems.push(`tableStreamArn must be the stream ARN of table ${tableName}, got "${tableStreamArn}"`);
    } else {
      table = { kind: 'import', tableName, tableStreamArn };
    }
  }

  const merchantRecord = text('merchantRecord') ?? 'place';
  if (merchantRecord !== 'place' && merchantRecord !== 'metadata')
    problems.push(`merchantRecord must be one of place | metadata, got "${merchantRecord}"`);

  const mode = text('mode') ?? 'inline';
  if (mode !== 'inline' && mode !== 'event')
    problems.push(`mode must be one of inline | event, got "${mode}"`);

  const serviceName = text('serviceName') ?? 'receipt-gate';
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(serviceName)) {
    problems.push(`serviceName must be letters, digits, "_", "." or "-", got "${serviceName}"`);
  }

  const retentionText = text('logRetentionDays') ?? '30';
  const logRetention = Number(retentionText);
  if (!RETENTIONS.has(logRetention)) {
    problems.push(`logRetentionDays must be one of CloudWatch's retention periods, got "${retentionText}"`);
  }

  const embeddingsUri = text('embeddingsUri');
  const s3 = embeddingsUri === undefined ? undefined : S3_URI.exec(embeddingsUri);
  if (embeddingsUri !== undefined && !s3) {
    problems.push(`embeddingsUri must be s3://bucket/prefix, got "${embeddingsUri}"`);
  }

  const alarmTopicArn = text('alarmTopicArn');
  if (alarmTopicArn !== undefined && !SNS_ARN.test(alarmTopicArn)) {
    problems.push(`alarmTopicArn must be an SNS topic ARN, got "${alarmTopicArn}"`);
  }

  if (problems.length > 0) throw new SettingsError(`invalid deployment settings: ${problems.join('; ')}`);
  return {
    table,
    mode: mode as ReceiptGateSettings['mode'],
    merchantRecord: merchantRecord as MerchantRecordFormat,
    serviceName,
    logRetention: logRetention as RetentionDays,
    ...(s3?.[1] && { embeddings: { bucketName: s3[1], prefix: (s3[2] ?? '').replace(/^\/+|\/+$/g, '') } }),
    ...(alarmTopicArn && { alarmTopicArn }),
  };
}
