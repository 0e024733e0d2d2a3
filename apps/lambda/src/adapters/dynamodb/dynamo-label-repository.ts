import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type Clock,
  CompactionNotCompletedError,
  type CompactionRunKey,
  compareWordLabels,
  distinctWordLabels,
  InvalidValueError,
  isDecidedStatus,
  isWordLabelName,
  type LabelRepository,
  NOOP_TELEMETRY,
  parseWordLabel,
  type ReceiptRef,
  type ReceiptWordLabel,
  type SaveLabelsOptions,
  type SaveLabelsResult,
  type Telemetry,
  TransientStoreError,
  type WordRef,
  wordLabelId,
} from '@receipt-gate/core';
import { SystemClock } from '../clock/system-clock.js';
import { type Item, s } from './attribute-values.js';
import { getAll } from './batch-get.js';
import { chunks } from './chunks.js';
import { classified } from './classify-error.js';
import type { DynamoTableOptions } from './dynamo-table-options.js';
import { ExpressionAttributes } from './expression-attributes.js';
import { compactionRunKey, imagePk, labelKey, wordSk } from './keys.js';
import { mapConcurrently } from './map-concurrently.js';
import { queryReceiptItems } from './query-receipt-items.js';
import { querySortKeyPrefix } from './query-sort-key-prefix.js';
import { type BatchRetry, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { readEach, reportUnreadable } from './unreadable-items.js';
import { fromWordLabelItem, labelStatusOf, toWordLabelItem, WORD_LABEL_TYPE } from './word-label-item.js';

export interface DynamoLabelRepositoryOptions extends DynamoTableOptions {
  /** Conditional puts in flight at once in an unguarded save (default 8). */
  readonly writeConcurrency?: number;
  /** Transactions tried per chunk of a guarded save while labels appear meanwhile (default 3). */
  readonly maxChunkAttempts?: number;
  /** Waits between reads of keys a BatchGetItem left unprocessed (defaults: system clock, DEFAULT_RETRY_POLICY). */
  readonly clock?: Clock;
  readonly retryPolicy?: RetryPolicy;
  /** Where unreadable items and labels outside the vocabulary are reported (default: nowhere). */
  readonly telemetry?: Telemetry;
}

type Outcome = 'written' | 'alreadyPresent' | 'frozen';

/** One action for the run's guard and 99 puts: TransactWriteItems takes at most 100 actions. */
const LABELS_PER_TRANSACTION = 99;

/**
 * LabelRepository on the shared table. Every put is conditional on the item not existing, so an existing label
 * (a decided one above all) is never changed, and saving the same proposals again writes nothing.
 *
 * A guarded save (`requireCompleted`) writes in TransactWriteItems whose first action is a ConditionCheck that
 * the run is COMPLETED in both collections, so the database enforces the gate at write time. Atomicity is per
 * chunk of 99 labels; the guard holds for every chunk, and as COMPLETED is final a guard that held for the first
 * chunk holds for the next ones (unless the run item is deleted in between).
 *
 * Reads are tolerant: a label of any name reads (counted when outside the vocabulary), and an item that does not
 * fit the format is reported and left out, so one bad item never fails a receipt.
 */
export class DynamoLabelRepository implements LabelRepository {
  readonly #client: DynamoTableOptions['client'];
  readonly #tableName: string;
  readonly #writeConcurrency: number;
  readonly #maxChunkAttempts: number;
  readonly #retry: BatchRetry;
  readonly #telemetry: Telemetry;

  constructor(options: DynamoLabelRepositoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#writeConcurrency = options.writeConcurrency ?? 8;
    this.#maxChunkAttempts = options.maxChunkAttempts ?? 3;
    this.#retry = {
      clock: options.clock ?? new SystemClock(),
      policy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
    };
    this.#telemetry = options.telemetry ?? NOOP_TELEMETRY;
  }

  async saveLabels(
    labels: readonly ReceiptWordLabel[],
    options: SaveLabelsOptions = {},
  ): Promise<SaveLabelsResult> {
    // Every proposal is validated before anything is written.
    const proposals = distinctWordLabels(labels.map((label) => parseWordLabel(label)));
    const guard = options.requireCompleted;
    const outcomes = guard ? await this.#saveGuarded(proposals, guard) : await this.#saveUnguarded(proposals);
    const result: Record<Outcome, ReceiptWordLabel[]> = { written: [], alreadyPresent: [], frozen: [] };
    for (const proposal of proposals) result[outcomes.get(wordLabelId(proposal)) ?? 'written'].push(proposal);
    return result;
  }

  /** Labels of one receipt, ordered by line, word and label name. */
  async getLabels(receipt: ReceiptRef): Promise<ReceiptWordLabel[]> {
    const items = await queryReceiptItems(this.#client, this.#tableName, receipt, [WORD_LABEL_TYPE]);
    return this.#read(receipt, items);
  }

  /** Labels of one word, ordered by label name: a Query on that word's label keys only. */
  async getWordLabels(word: WordRef): Promise<ReceiptWordLabel[]> {
    const items = await querySortKeyPrefix(
      this.#client,
      this.#tableName,
      imagePk(word.imageId),
      `${wordSk(word, word.lineId, word.wordId)}#LABEL#`,
    );
    return this.#read(word, items);
  }

  #read(receipt: ReceiptRef, items: readonly Item[]): ReceiptWordLabel[] {
    const labels = readEach(items, fromWordLabelItem, (item, error) =>
      reportUnreadable(this.#telemetry, receipt, WORD_LABEL_TYPE, item, error),
    );
    const outside = labels.filter((label) => !isWordLabelName(label.label)).length;
    if (outside > 0) this.#telemetry.metric('LabelsOutsideVocabulary', outside, 'Count');
    return labels.sort(compareWordLabels);
  }

  async #saveUnguarded(proposals: readonly ReceiptWordLabel[]): Promise<Map<string, Outcome>> {
    const outcomes = await mapConcurrently(proposals, this.#writeConcurrency, (label) =>
      this.#putIfAbsent(label),
    );
    return new Map(proposals.map((label, i) => [wordLabelId(label), outcomes[i] ?? 'written']));
  }

  async #putIfAbsent(label: ReceiptWordLabel): Promise<Outcome> {
    const expression = new ExpressionAttributes();
    try {
      await classified('PutItem', () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#tableName,
            Item: toWordLabelItem(label),
            ConditionExpression: `attribute_not_exists(${expression.name('PK')})`,
            // The existing item comes back with the failure, telling undecided from decided without a read.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ...expression.input,
          }),
        ),
      );
      return 'written';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // ALL_OLD always returns the existing item here; without it the label would read as NONE (still untouched).
      return outcomeOf(error.Item ?? {});
    }
  }

  async #saveGuarded(
    proposals: readonly ReceiptWordLabel[],
    run: CompactionRunKey,
  ): Promise<Map<string, Outcome>> {
    // Labels that exist already stay out of the transactions (a put of them would cancel the whole chunk).
    const outcomes = await this.#existing(proposals);
    const missing = proposals.filter((label) => !outcomes.has(wordLabelId(label)));
    // With nothing to write the guard is still checked: the caller learns the run is not COMPLETED either way.
    const slices = missing.length === 0 ? [[]] : chunks(missing, LABELS_PER_TRANSACTION);
    for (const slice of slices) await this.#writeChunk(slice, run, outcomes);
    return outcomes;
  }

  /** Writes one chunk in one transaction; labels that appeared meanwhile are re-read and left out of a retry. */
  async #writeChunk(
    labels: readonly ReceiptWordLabel[],
    run: CompactionRunKey,
    outcomes: Map<string, Outcome>,
  ): Promise<void> {
    let pending = labels;
    for (let attempt = 1; ; attempt++) {
      try {
        await classified('TransactWriteItems', () =>
          this.#client.send(
            new TransactWriteItemsCommand({
              TransactItems: [this.#runGuard(run), ...pending.map((label) => this.#putNew(label))],
              // One token per attempt: an SDK retry of this request is idempotent, a new attempt is new.
              ClientRequestToken: randomUUID(),
            }),
          ),
        );
        for (const label of pending) outcomes.set(wordLabelId(label), 'written');
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [guard, ...puts] = (error.CancellationReasons ?? []).map((reason) => reason.Code);
        if (guard === 'ConditionalCheckFailed') throw new CompactionNotCompletedError(run);
        if (!puts.includes('ConditionalCheckFailed')) {
          const codes = [guard, ...puts].filter((code) => code !== undefined && code !== 'None');
          throw new TransientStoreError(`DynamoDB TransactWriteItems was canceled (${codes.join(', ')})`, {
            cause: error,
          });
        }
        if (attempt >= this.#maxChunkAttempts) {
          throw new TransientStoreError(
            `labels kept appearing during ${attempt} attempts of a guarded write; try again`,
            { cause: error },
          );
        }
        for (const [id, outcome] of await this.#existing(pending)) outcomes.set(id, outcome);
        pending = pending.filter((label) => !outcomes.has(wordLabelId(label)));
        // The guard passed in this attempt; with nothing left to write the chunk is done.
        if (pending.length === 0) return;
      }
    }
  }

  #runGuard(run: CompactionRunKey): TransactWriteItem {
    const expression = new ExpressionAttributes();
    const completed = expression.value(s('COMPLETED'));
    return {
      ConditionCheck: {
        TableName: this.#tableName,
        Key: compactionRunKey(run),
        ConditionExpression: `${expression.name('lines_state')} = ${completed} AND ${expression.name('words_state')} = ${completed}`,
        ...expression.input,
      },
    };
  }

  #putNew(label: ReceiptWordLabel): TransactWriteItem {
    const expression = new ExpressionAttributes();
    return {
      Put: {
        TableName: this.#tableName,
        Item: toWordLabelItem(label),
        ConditionExpression: `attribute_not_exists(${expression.name('PK')})`,
        ...expression.input,
      },
    };
  }

  /** The outcome of each proposal whose item exists already, by a strongly consistent batch read. */
  async #existing(labels: readonly ReceiptWordLabel[]): Promise<Map<string, Outcome>> {
    const items = await getAll(
      this.#client,
      this.#tableName,
      labels.map(labelKey),
      ['PK', 'SK', 'validation_status'],
      this.#retry,
    );
    const byKey = new Map(items.map((item) => [`${item.PK?.S}|${item.SK?.S}`, item]));
    const outcomes = new Map<string, Outcome>();
    for (const label of labels) {
      const { PK, SK } = labelKey(label);
      const item = byKey.get(`${PK?.S}|${SK?.S}`);
      if (item) outcomes.set(wordLabelId(label), outcomeOf(item));
    }
    return outcomes;
  }
}

/** An existing label is never changed; one whose status cannot be read counts as decided by someone else. */
function outcomeOf(existing: Item): Outcome {
  try {
    return isDecidedStatus(labelStatusOf(existing)) ? 'frozen' : 'alreadyPresent';
  } catch (error) {
    if (error instanceof InvalidValueError) return 'frozen';
    throw error;
  }
}
