import {
  type Clock,
  NOOP_TELEMETRY,
  parseReceiptLine,
  parseReceiptWord,
  type ReceiptContent,
  type ReceiptRef,
  type ReceiptRepository,
  type Telemetry,
} from '@receipt-gate/core';
import { SystemClock } from '../clock/system-clock.js';
import type { Item } from './attribute-values.js';
import { createAll } from './create-all.js';
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
import { readEach, reportUnreadable } from './unreadable-items.js';

export interface DynamoReceiptRepositoryOptions extends DynamoTableOptions {
  /** Waits between tries of a write that conflicted with another (defaults: system clock, DEFAULT_RETRY_POLICY). */
  readonly clock?: Clock;
  readonly retryPolicy?: RetryPolicy;
  /** Where unreadable items are reported (default: nowhere). */
  readonly telemetry?: Telemetry;
}

/**
 * ReceiptRepository on the shared table: lines and words of a receipt by one Query, created by conditional puts so
 * that an existing item (another service's) is never replaced. A line or word that does not fit the format is
 * reported and left out of what is read (never rewritten).
 */
export class DynamoReceiptRepository implements ReceiptRepository {
  readonly #client: DynamoTableOptions['client'];
  readonly #tableName: string;
  readonly #retry: BatchRetry;
  readonly #telemetry: Telemetry;

  constructor(options: DynamoReceiptRepositoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retry = {
      clock: options.clock ?? new SystemClock(),
      policy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
    };
    this.#telemetry = options.telemetry ?? NOOP_TELEMETRY;
  }

  async getReceiptContent(receipt: ReceiptRef): Promise<ReceiptContent> {
    const items = await queryReceiptItems(this.#client, this.#tableName, receipt, [
      RECEIPT_LINE_TYPE,
      RECEIPT_WORD_TYPE,
    ]);
    const read = <T>(type: string, decode: (item: Item) => T) =>
      readEach(
        items.filter((item) => item.TYPE?.S === type),
        decode,
        (item, error) => reportUnreadable(this.#telemetry, receipt, type, item, error),
      );
    return {
      lines: read(RECEIPT_LINE_TYPE, fromReceiptLineItem).sort((a, b) => a.lineId - b.lineId),
      words: read(RECEIPT_WORD_TYPE, fromReceiptWordItem).sort(
        (a, b) => a.lineId - b.lineId || a.wordId - b.wordId,
      ),
    };
  }

  async saveReceiptContent(content: ReceiptContent): Promise<void> {
    // Everything is validated before anything is written.
    const items = [
      ...content.lines.map((line) => toReceiptLineItem(parseReceiptLine(line))),
      ...content.words.map((word) => toReceiptWordItem(parseReceiptWord(word))),
    ];
    await createAll(this.#client, this.#tableName, lastPerKey(items), this.#retry);
  }
}

// A transaction refuses two actions on one key; the later of two items with one key is the one created.
function lastPerKey(items: readonly Item[]): Item[] {
  return [...new Map(items.map((item) => [`${item.PK?.S}|${item.SK?.S}`, item])).values()];
}
