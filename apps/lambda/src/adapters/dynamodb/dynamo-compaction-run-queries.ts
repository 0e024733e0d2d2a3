import { QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  type CompactionRun,
  InvalidValueError,
  pad5,
  type ReceiptRef,
  timestampToEpochMs,
  toTimestamp,
} from '@receipt-gate/core';
import { type Item, s } from './attribute-values.js';
import { classified } from './classify-error.js';
import { COMPACTION_RUN_TYPE, fromCompactionRunItem } from './compaction-run-item.js';
import type { DynamoTableOptions } from './dynamo-table-options.js';
import { ExpressionAttributes } from './expression-attributes.js';
import { imagePk } from './keys.js';
import { querySortKeyPrefix } from './query-sort-key-prefix.js';

/** A run item that does not fit the data model: reported with its key, never rewritten. */
export interface UnreadableRun {
  readonly key: string;
  readonly error: string;
}

export interface RunsQuery {
  /** Runs created before this instant (epoch ms). */
  readonly createdBefore: number;
  /** And at or after this one, when given (bounds how much of the index is read). */
  readonly createdAfter?: number;
  /** Only runs with a collection still PENDING or PROCESSING. */
  readonly unsettledOnly: boolean;
  /** At most this many runs per page. */
  readonly limit: number;
  /** Where the previous page ended (`RunsPage.next`). */
  readonly after?: RunsCursor;
}

/** The index position of a run: where the next page starts. */
export interface RunsCursor {
  readonly PK: string;
  readonly SK: string;
  readonly GSI1PK: string;
  readonly GSI1SK: string;
}

export interface RunsPage {
  /** Newest first. */
  readonly runs: readonly CompactionRun[];
  readonly unreadable: readonly UnreadableRun[];
  /** Present when more runs may follow. */
  readonly next?: RunsCursor;
}

const RUNS_PARTITION = 'RUNS';
const CREATED_AT = 'CREATED_AT#';

const isUnsettled = (run: CompactionRun) =>
  [run.linesState, run.wordsState].some((state) => state === 'PENDING' || state === 'PROCESSING');

/**
 * The operator's reads of COMPACTION_RUN items, beyond the gate's read of one run: a receipt's runs (its partition,
 * `RECEIPT#{r}#COMPACTION_RUN#`), and the runs of a creation window (all, or those still PENDING or PROCESSING
 * in a collection), newest first, through GSI1 (`RUNS` / `CREATED_AT#{created_at}`), a page at a time.
 */
export class DynamoCompactionRunQueries {
  readonly #client: DynamoTableOptions['client'];
  readonly #tableName: string;

  constructor(options: DynamoTableOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  /** The receipt's runs, oldest first (strongly consistent), and the run items that cannot be read. */
  async receiptRuns(receipt: ReceiptRef): Promise<{ runs: CompactionRun[]; unreadable: UnreadableRun[] }> {
    const items = await querySortKeyPrefix(
      this.#client,
      this.#tableName,
      imagePk(receipt.imageId),
      `RECEIPT#${pad5(receipt.receiptId)}#COMPACTION_RUN#`,
    );
    const { runs, unreadable } = readRuns(items);
    runs.sort((a, b) => timestampToEpochMs(a.createdAt) - timestampToEpochMs(b.createdAt));
    return { runs, unreadable };
  }

  /**
   * One page of the runs created in the window, newest first. The index is read in pages until `limit` runs are
   * found or it is exhausted; the filter on the states is applied by DynamoDB, so only matching runs are returned
   * (but every run of the window is read). GSI reads are eventually consistent: a run created or settled a moment
   * ago may show its previous state.
   */
  async listRuns(query: RunsQuery): Promise<RunsPage> {
    if (!Number.isInteger(query.limit) || query.limit < 1) {
      throw new InvalidValueError('limit', `expected a positive integer, got ${query.limit}`);
    }
    const expression = new ExpressionAttributes();
    const partition = `${expression.name('GSI1PK')} = ${expression.value(s(RUNS_PARTITION))}`;
    const before = expression.value(s(`${CREATED_AT}${toTimestamp(query.createdBefore)}`));
    const sortKey = expression.name('GSI1SK');
    const range =
      query.createdAfter === undefined
        ? `${sortKey} < ${before}`
        : `${sortKey} BETWEEN ${expression.value(s(`${CREATED_AT}${toTimestamp(query.createdAfter)}`))} AND ${before}`;
    // A state attribute that is missing or NULL reads as PENDING (data model, section 6).
    const unsettled = () =>
      ['lines_state', 'words_state']
        .map((attribute) => {
          const name = expression.name(attribute);
          return `attribute_not_exists(${name}) OR attribute_type(${name}, ${expression.value({ S: 'NULL' })}) OR ${name} IN (${expression.value(s('PENDING'))}, ${expression.value(s('PROCESSING'))})`;
        })
        .join(' OR ');
    const type = `${expression.name('TYPE')} = ${expression.value(s(COMPACTION_RUN_TYPE))}`;
    const filter = query.unsettledOnly ? `${type} AND (${unsettled()})` : type;

    const runs: CompactionRun[] = [];
    const unreadable: UnreadableRun[] = [];
    let startKey: Item | undefined = query.after && cursorItem(query.after);
    let last: Item | undefined;
    do {
      const page = await classified('Query', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            IndexName: 'GSI1',
            KeyConditionExpression: `${partition} AND ${range}`,
            FilterExpression: filter,
            ScanIndexForward: false,
            ExclusiveStartKey: startKey,
            Limit: Math.max(query.limit, 25),
            ...expression.input,
          }),
        ),
      );
      startKey = page.LastEvaluatedKey;
      for (const item of page.Items ?? []) {
        if (runs.length + unreadable.length >= query.limit) {
          // The page held more than wanted: the next page starts after the last one returned.
          return { runs, unreadable, ...(last && { next: cursorOf(last) }) };
        }
        last = item;
        const read = readRuns([item]);
        runs.push(...(query.unsettledOnly ? read.runs.filter(isUnsettled) : read.runs));
        unreadable.push(...read.unreadable);
      }
    } while (startKey && runs.length + unreadable.length < query.limit);
    return { runs, unreadable, ...(startKey && last && { next: cursorOf(last) }) };
  }
}

function readRuns(items: readonly Item[]): { runs: CompactionRun[]; unreadable: UnreadableRun[] } {
  const runs: CompactionRun[] = [];
  const unreadable: UnreadableRun[] = [];
  for (const item of items) {
    try {
      runs.push(fromCompactionRunItem(item));
    } catch (error) {
      if (!(error instanceof InvalidValueError)) throw error;
      unreadable.push({ key: `${item.PK?.S}|${item.SK?.S}`, error: error.message });
    }
  }
  return { runs, unreadable };
}

function cursorOf(item: Item): RunsCursor {
  return {
    PK: item.PK?.S ?? '',
    SK: item.SK?.S ?? '',
    GSI1PK: item.GSI1PK?.S ?? '',
    GSI1SK: item.GSI1SK?.S ?? '',
  };
}

function cursorItem(cursor: RunsCursor): Item {
  return {
    PK: s(cursor.PK),
    SK: s(cursor.SK),
    GSI1PK: s(cursor.GSI1PK),
    GSI1SK: s(cursor.GSI1SK),
  };
}
