import {
  type Clock,
  parseReceiptLine,
  parseReceiptWord,
  type ReceiptContent,
  type ReceiptRef,
  type ReceiptRepository,
} from '@receipt-gate/core';
import { SystemClock } from '../clock/system-clock.js';
import type { Item } from './attribute-values.js';
import { putAll } from './batch-write.js';
import type { DynamoTableOptions } from './dynamo-table-options.js';
import { queryReceiptItems } from './query-receipt-items.js';
import {
  fromReceiptLineItem,
  fromReceiptWordItem,
  RECEIPT_LINE_TYPE,
  RECEIPT_WORD_TYPE,
  toReceiptLineItem,
  toReceiptWordItem,
} from './receipt-text-item.js';
import { type BatchRetry, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

export interface DynamoReceiptRepositoryOptions extends DynamoTableOptions {
  /** Waits between retries of unprocessed batch items (defaults: system clock, DEFAULT_RETRY_POLICY). */
  readonly clock?: Clock;
  readonly retryPolicy?: RetryPolicy;
}

/** ReceiptRepository on the shared table: lines and words of a receipt by one Query, written by batch puts. */
export class DynamoReceiptRepository implements ReceiptRepository {
  readonly #client: DynamoTableOptions['client'];
  readonly #tableName: string;
  readonly #retry: BatchRetry;

  constructor(options: DynamoReceiptRepositoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retry = {
      clock: options.clock ?? new SystemClock(),
      policy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
    };
  }

  async getReceiptContent(receipt: ReceiptRef): Promise<ReceiptContent> {
    const items = await queryReceiptItems(this.#client, this.#tableName, receipt, [
      RECEIPT_LINE_TYPE,
      RECEIPT_WORD_TYPE,
    ]);
    const ofType = (type: string) => items.filter((item) => item.TYPE?.S === type);
    return {
      lines: ofType(RECEIPT_LINE_TYPE)
        .map(fromReceiptLineItem)
        .sort((a, b) => a.lineId - b.lineId),
      words: ofType(RECEIPT_WORD_TYPE)
        .map(fromReceiptWordItem)
        .sort((a, b) => a.lineId - b.lineId || a.wordId - b.wordId),
    };
  }

  async saveReceiptContent(content: ReceiptContent): Promise<void> {
    // Everything is validated before anything is written.
    const items = [
      ...content.lines.map((line) => toReceiptLineItem(parseReceiptLine(line))),
      ...content.words.map((word) => toReceiptWordItem(parseReceiptWord(word))),
    ];
    await putAll(this.#client, this.#tableName, lastPerKey(items), this.#retry);
  }
}

// A batch refuses two requests for one key; a later put of the same key wins, as it would one after another.
function lastPerKey(items: readonly Item[]): Item[] {
  return [...new Map(items.map((item) => [`${item.PK?.S}|${item.SK?.S}`, item])).values()];
}
