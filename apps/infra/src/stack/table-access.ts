import { PolicyStatement } from 'aws-cdk-lib/aws-iam';

/**
 * The DynamoDB actions each use of the table performs, named one by one from what the adapters send (no
 * `dynamodb:*`, no index: the adapters query the base table only).
 */
export const TABLE_ACTIONS = {
  /** Lines and words (BatchWriteItem), the metadata and the run (read first, then PutItem). */
  upload: ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
  /**
   * The gate's reads of the run, the receipt's words and labels (Query, BatchGetItem), the labels' conditional
   * puts, the guarded write's ConditionCheck on the run inside TransactWriteItems, the metadata's conditional update.
   */
  validation: [
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
  /**
   * The compactor (in the dispatcher): the run (read, then per-collection conditional transitions), and the state
   * each vector is built from, read at merge and refresh time: the receipt's labels (Query), its merchant record.
   */
  compaction: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
} as const;

/** What an event source mapping needs of the stream it reads. */
export const STREAM_READ_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
] as const;

/** The given uses' actions on the table itself, merged into one statement. */
export function tableStatement(
  tableArn: string,
  uses: readonly (keyof typeof TABLE_ACTIONS)[],
): PolicyStatement {
  const actions = [...new Set(uses.flatMap((use) => TABLE_ACTIONS[use]))].sort();
  return new PolicyStatement({ actions, resources: [tableArn] });
}

/** Reading the table's stream, on that stream only. */
export function streamReadStatement(streamArn: string): PolicyStatement {
  return new PolicyStatement({ actions: [...STREAM_READ_ACTIONS], resources: [streamArn] });
}
