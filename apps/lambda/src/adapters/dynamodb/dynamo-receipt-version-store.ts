import { randomUUID } from 'node:crypto';
import {
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type CheckedReceiptVersion,
  type Clock,
  type CompactionRun,
  InvalidValueError,
  type MerchantRecord,
  NOOP_TELEMETRY,
  pad5,
  parseReceiptRef,
  type ReceiptLine,
  type ReceiptRef,
  type ReceiptVersion,
  type ReceiptVersionLease,
  type ReceiptVersionStore,
  type ReceiptWord,
  type ReceiptWordLabel,
  type StoredReceipt,
  sameTextContent,
  type Telemetry,
  TransientStoreError,
} from '@receipt-gate/core';
import { SystemClock } from '../clock/system-clock.js';
import { type Item, s } from './attribute-values.js';
import { classified } from './classify-error.js';
import { fromCompactionRunItem, toCompactionRunItem } from './compaction-run-item.js';
import type { DynamoTableOptions } from './dynamo-table-options.js';
import { ExpressionAttributes } from './expression-attributes.js';
import { itemLimitProblems, itemSize } from './item-limits.js';
import { compactionRunKey, imagePk, labelKey } from './keys.js';
import type { MerchantRecordCodec } from './merchant-record-codec.js';
import { querySortKeyPrefix } from './query-sort-key-prefix.js';
import { fence, type ReceiptLease, releaseLease, takeLease } from './receipt-lease.js';
import {
  fromReceiptLineItem,
  fromReceiptWordItem,
  lineKey,
  RECEIPT_LINE_TYPE,
  RECEIPT_WORD_TYPE,
  toReceiptLineItem,
  toReceiptWordItem,
  wordKey,
} from './receipt-text-item.js';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { reportUnreadable } from './unreadable-items.js';
import { fromWordLabelItem, WORD_LABEL_TYPE } from './word-label-item.js';

export interface DynamoReceiptVersionStoreOptions extends DynamoTableOptions {
  /** The item format of the table's merchant records. */
  readonly codec: MerchantRecordCodec;
  readonly clock?: Clock;
  /** Tries of a transaction that conflicts with another on the same item. */
  readonly retryPolicy?: RetryPolicy;
  readonly telemetry?: Telemetry;
  /** How long a lease lasts without a write renewing it (default 60 s): how long a crashed upload blocks others. */
  readonly leaseMs?: number;
}

/** One action of a transaction, 1 for the fence and 99 for writes (TransactWriteItems takes at most 100). */
const WRITES_PER_TRANSACTION = 99;
/** A transaction carries at most 4 MB of items; this leaves room for keys and expressions. */
const BYTES_PER_TRANSACTION = 3_500_000;

const LINE_SK = /^RECEIPT#\d{5}#LINE#(\d{5})$/;
const WORD_SK = /^RECEIPT#\d{5}#LINE#(\d{5})#WORD#(\d{5})$/;
const LABEL_SK = /^RECEIPT#\d{5}#LINE#\d{5}#WORD#\d{5}#LABEL#.+$/;
const RUN_SK = /^RECEIPT#\d{5}#COMPACTION_RUN#.+$/;

/** A write and what undoes it. */
interface Write {
  readonly action: TransactWriteItem;
  readonly undo?: TransactWriteItem;
  /** Why it can be refused by its condition, for the error. */
  readonly what: string;
  /** A creation that may find the item created meanwhile by another writer, whose item is then kept. */
  readonly ifAbsent?: boolean;
}

/**
 * ReceiptVersionStore on the shared table. Reads are one strongly consistent Query of the receipt's items; writes
 * are TransactWriteItems of at most 99 items whose first action renews and checks the receipt's lease (`fence`),
 * so a write of an upload that lost its lease fails instead of mixing with another upload's. What is written is
 * only what changes: an unchanged line or word keeps its item (and whatever other services set on it); an item
 * that cannot be read is never touched. Every write has its undo (the item as read, put back; or a delete of one
 * created), run newest first by `rollback`. The merchant record, created only when the receipt has none, goes in a
 * transaction of its own after the lines and words: one another service created meanwhile is kept, not a failure.
 *
 * `check` encodes every item as it will be written and holds it against DynamoDB's limits (`itemLimitProblems`),
 * so an upload DynamoDB would refuse midway is refused before its first write, with the field named.
 */
export class DynamoReceiptVersionStore implements ReceiptVersionStore {
  readonly #table: DynamoTableOptions;
  readonly #codec: MerchantRecordCodec;
  readonly #clock: Clock;
  readonly #policy: RetryPolicy;
  readonly #telemetry: Telemetry;
  readonly #leaseMs: number;

  constructor(options: DynamoReceiptVersionStoreOptions) {
    this.#table = { client: options.client, tableName: options.tableName };
    this.#codec = options.codec;
    this.#clock = options.clock ?? new SystemClock();
    this.#policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.#telemetry = options.telemetry ?? NOOP_TELEMETRY;
    this.#leaseMs = options.leaseMs ?? 60_000;
  }

  check(version: ReceiptVersion): CheckedReceiptVersion {
    const problems: string[] = [];
    const held = <T>(
      where: string,
      entity: string,
      encode: () => Item,
      decode: (item: Item) => T,
      keys = {},
    ) => {
      try {
        const item = encode();
        const limits = itemLimitProblems(entity, item, keys);
        problems.push(...limits.map((problem) => `${where}: ${problem.message}`));
        if (limits.length > 0) return undefined;
        try {
          return decode(item);
        } catch (error) {
          if (!(error instanceof InvalidValueError)) throw error;
          problems.push(`${where}: as stored it would not read back: ${error.message}`);
        }
      } catch (error) {
        if (!(error instanceof InvalidValueError)) throw error;
        problems.push(`${where}: ${error.message}`);
      }
      return undefined;
    };
    const lines = version.lines.map((line, i) =>
      held(`lines[${i}]`, RECEIPT_LINE_TYPE, () => toReceiptLineItem(line), fromReceiptLineItem),
    );
    const words = version.words.map((word, i) =>
      held(`words[${i}]`, RECEIPT_WORD_TYPE, () => toReceiptWordItem(word), fromReceiptWordItem),
    );
    const record = version.metadata;
    const metadata =
      record &&
      held(
        'metadata',
        this.#codec.type,
        () => this.#codec.toItem(record),
        (item) => this.#codec.fromItem(item),
        this.#codec.keySources,
      );
    const normalized = {
      receipt: version.receipt,
      lines: lines.filter((line): line is ReceiptLine => line !== undefined),
      words: words.filter((word): word is ReceiptWord => word !== undefined),
      ...(metadata && { metadata }),
    };
    return { version: normalized, problems };
  }

  async read(receipt: ReceiptRef): Promise<StoredReceipt> {
    return (await this.#readItems(parseReceiptRef(receipt))).stored;
  }

  async lease(receipt: ReceiptRef, options: { readonly waitUntil: number }): Promise<ReceiptVersionLease> {
    const ref = parseReceiptRef(receipt);
    const { client, tableName } = this.#table;
    const lease = await takeLease(client, tableName, this.#clock, ref, {
      leaseMs: this.#leaseMs,
      waitUntil: options.waitUntil,
    });
    try {
      const read = await this.#readItems(ref);
      return new DynamoLease(this.#table, this.#codec, this.#clock, this.#policy, this.#leaseMs, lease, read);
    } catch (error) {
      await releaseLease(client, tableName, lease).catch(() => undefined);
      throw error;
    }
  }

  async #readItems(receipt: ReceiptRef): Promise<ReadReceipt> {
    const { client, tableName } = this.#table;
    const items = await querySortKeyPrefix(
      client,
      tableName,
      imagePk(receipt.imageId),
      `RECEIPT#${pad5(receipt.receiptId)}#`,
    );
    const raw = new Map<string, Item>();
    const lines: ReceiptLine[] = [];
    const words: ReceiptWord[] = [];
    const labels: ReceiptWordLabel[] = [];
    const runs: CompactionRun[] = [];
    const unreadable: string[] = [];
    let metadata: MerchantRecord | undefined;
    let hasMerchantRecord = false;
    const recordSk = this.#codec.key(receipt).SK?.S;
    const read = <T>(item: Item, entity: string, decode: (item: Item) => T): T | undefined => {
      try {
        return decode(item);
      } catch (error) {
        if (!(error instanceof InvalidValueError)) throw error;
        reportUnreadable(this.#telemetry, receipt, entity, item, error);
        return undefined;
      }
    };
    for (const item of items) {
      const sk = item.SK?.S ?? '';
      const line = LINE_SK.exec(sk);
      const word = WORD_SK.exec(sk);
      if (line) {
        raw.set(sk, item);
        const decoded = read(item, RECEIPT_LINE_TYPE, fromReceiptLineItem);
        if (decoded) lines.push(decoded);
        else unreadable.push(String(Number(line[1])));
      } else if (word) {
        raw.set(sk, item);
        const decoded = read(item, RECEIPT_WORD_TYPE, fromReceiptWordItem);
        if (decoded) words.push(decoded);
        else unreadable.push(`${Number(word[1])}/${Number(word[2])}`);
      } else if (LABEL_SK.test(sk)) {
        raw.set(sk, item);
        const decoded = read(item, WORD_LABEL_TYPE, fromWordLabelItem);
        if (decoded) labels.push(decoded);
      } else if (RUN_SK.test(sk)) {
        raw.set(sk, item);
        const decoded = read(item, 'COMPACTION_RUN', fromCompactionRunItem);
        if (decoded) runs.push(decoded);
      } else if (sk === recordSk) {
        raw.set(sk, item);
        hasMerchantRecord = true;
        metadata = read(item, this.#codec.type, (found) => this.#codec.fromItem(found));
      }
    }
    const stored: StoredReceipt = {
      lines,
      words,
      labels,
      ...(metadata && { metadata }),
      hasMerchantRecord,
      runs,
      unreadable,
    };
    return { stored, raw };
  }
}

interface ReadReceipt {
  readonly stored: StoredReceipt;
  /** The items read, by sort key (all in the receipt's image partition). */
  readonly raw: Map<string, Item>;
}

class DynamoLease implements ReceiptVersionLease {
  readonly stored: StoredReceipt;
  /** The items as they are now, by sort key, kept up to date with this lease's writes. */
  readonly #current: Map<string, Item>;
  readonly #unreadable: Set<string>;
  /** The undo of every write made, oldest first. */
  readonly #undo: TransactWriteItem[] = [];
  #released = false;

  constructor(
    private readonly table: DynamoTableOptions,
    private readonly codec: MerchantRecordCodec,
    private readonly clock: Clock,
    private readonly policy: RetryPolicy,
    private readonly leaseMs: number,
    private readonly lease: ReceiptLease,
    read: ReadReceipt,
  ) {
    this.stored = read.stored;
    this.#current = new Map(read.raw);
    this.#unreadable = new Set(
      [...read.raw.entries()]
        .filter(([sk]) => LINE_SK.test(sk) || WORD_SK.test(sk))
        .filter(([, item]) => !decodes(item))
        .map(([sk]) => sk),
    );
  }

  async writeContent(version: ReceiptVersion, labels: readonly ReceiptWordLabel[]): Promise<void> {
    const mark = this.#undo.length;
    const writes = [
      // Labels first: one decided meanwhile refuses the whole upload before anything else is written.
      ...labels.map((label) => this.#deleteLabel(label)),
      ...this.#textWrites(
        version.lines.map((line) => [lineKey(line), toReceiptLineItem(line), line] as const),
      ),
      ...this.#textWrites(
        version.words.map((word) => [wordKey(word), toReceiptWordItem(word), word] as const),
      ),
      ...this.#dropped(version),
    ];
    try {
      await this.#commit(writes);
      // On its own: another service may create the record at any time, and then that one is kept.
      await this.#commit(this.#merchantRecord(version.metadata)).catch((error: unknown) => {
        if (!(error instanceof CreatedMeanwhileError)) throw error;
      });
    } catch (error) {
      // Undo this call's writes, so the receipt is as it was; what cannot be undone now stays for rollback().
      await this.#undoSince(mark).catch(() => undefined);
      throw error;
    }
  }

  async writeRun(run: CompactionRun): Promise<void> {
    const item = toCompactionRunItem(run);
    const sk = item.SK?.S ?? '';
    const { tableName } = this.table;
    if (this.#current.has(sk)) {
      // A new item under the old key: the stream shows an INSERT, which is what starts a compaction.
      await this.#commit([
        { action: { Delete: { TableName: tableName, Key: compactionRunKey(run) } }, what: sk },
      ]);
    }
    await this.#commit([
      {
        action: putNew(tableName, item),
        undo: { Delete: { TableName: tableName, Key: compactionRunKey(run) } },
        what: sk,
      },
    ]);
  }

  async rollback(): Promise<void> {
    await this.#undoSince(0);
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await releaseLease(this.table.client, this.table.tableName, this.lease);
  }

  /** Puts of the lines or words that are new or changed; an unreadable item under the same key is left alone. */
  #textWrites(items: readonly (readonly [Item, Item, ReceiptLine])[]): Write[] {
    const { tableName } = this.table;
    return items.flatMap(([key, item, decoded]): Write[] => {
      const sk = key.SK?.S ?? '';
      if (this.#unreadable.has(sk)) return [];
      const existing = this.#current.get(sk);
      if (existing === undefined) {
        return [
          { action: putNew(tableName, item), undo: { Delete: { TableName: tableName, Key: key } }, what: sk },
        ];
      }
      const stored = decodes(existing);
      if (stored && sameTextContent(stored, decoded)) return [];
      const expression = new ExpressionAttributes();
      return [
        {
          action: {
            Put: {
              TableName: tableName,
              Item: item,
              ConditionExpression: `attribute_exists(${expression.name('PK')})`,
              ...expression.input,
            },
          },
          undo: { Put: { TableName: tableName, Item: existing } },
          what: sk,
        },
      ];
    });
  }

  /** Deletes of the readable lines and words the version does not have. */
  #dropped(version: ReceiptVersion): Write[] {
    const { tableName } = this.table;
    const kept = new Set(
      [...version.lines.map(lineKey), ...version.words.map(wordKey)].map((key) => key.SK?.S ?? ''),
    );
    return [...this.#current.entries()]
      .filter(([sk]) => (LINE_SK.test(sk) || WORD_SK.test(sk)) && !kept.has(sk) && !this.#unreadable.has(sk))
      .map(([sk, item]) => {
        const expression = new ExpressionAttributes();
        return {
          action: {
            Delete: {
              TableName: tableName,
              Key: { PK: s(imagePk(this.lease.receipt.imageId)), SK: s(sk) },
              ConditionExpression: `attribute_exists(${expression.name('PK')})`,
              ...expression.input,
            },
          },
          undo: { Put: { TableName: tableName, Item: item } },
          what: sk,
        };
      });
  }

  /** A delete of a label, conditional on it still being undecided (NONE, PENDING, or no status at all). */
  #deleteLabel(label: ReceiptWordLabel): Write {
    const { tableName } = this.table;
    const key = labelKey(label);
    const sk = key.SK?.S ?? '';
    const existing = this.#current.get(sk);
    const expression = new ExpressionAttributes();
    const status = expression.name('validation_status');
    return {
      action: {
        Delete: {
          TableName: tableName,
          Key: key,
          ConditionExpression: `attribute_not_exists(${expression.name('PK')}) OR attribute_not_exists(${status}) OR attribute_type(${status}, ${expression.value(s('NULL'))}) OR ${status} IN (${expression.value(s('NONE'))}, ${expression.value(s('PENDING'))})`,
          ...expression.input,
        },
      },
      ...(existing && { undo: { Put: { TableName: tableName, Item: existing } } }),
      what: `label ${label.label} of word ${label.lineId}/${label.wordId}, decided meanwhile`,
    };
  }

  /** The merchant record, created when the receipt has none. */
  #merchantRecord(record: MerchantRecord | undefined): Write[] {
    if (!record || this.#current.has(this.codec.key(record).SK?.S ?? '')) return [];
    const { tableName } = this.table;
    const item = this.codec.toItem(record);
    return [
      {
        action: putNew(tableName, item),
        undo: { Delete: { TableName: tableName, Key: this.codec.key(record) } },
        what: `${this.codec.type} created meanwhile`,
        ifAbsent: true,
      },
    ];
  }

  /**
   * Runs the writes in fenced transactions, in order. A transaction's undo is kept before it is sent and dropped
   * only when DynamoDB canceled it: one that failed otherwise (a timeout, a lost response) may have committed, and
   * its undo is harmless if it did not.
   */
  async #commit(writes: readonly Write[]): Promise<void> {
    for (const chunk of transactionChunks(writes, (write) => write.action)) {
      const undos = chunk.flatMap((write) => (write.undo ? [write.undo] : []));
      this.#undo.push(...undos);
      try {
        await this.#transact(chunk);
      } catch (error) {
        if (error instanceof NotWrittenError || error instanceof RefusedWriteError)
          this.#undo.splice(this.#undo.length - undos.length, undos.length);
        throw error;
      }
      for (const write of chunk) applyTo(this.#current, write.action);
    }
  }

  /** Runs the undo of every write since `mark`, newest first, and forgets each undone. */
  async #undoSince(mark: number): Promise<void> {
    const undos = this.#undo.slice(mark).reverse();
    for (const chunk of transactionChunks(undos, (undo) => undo)) {
      await this.#transact(chunk.map((action) => ({ action, what: 'undo' })));
      for (const action of chunk) applyTo(this.#current, action);
      this.#undo.splice(this.#undo.length - chunk.length, chunk.length);
    }
  }

  /**
   * One transaction of the writes behind the fence. A transient failure (its outcome unknown) is sent again as the
   * very same request, token included, so DynamoDB applies it at most once; a transaction canceled by a conflict
   * with another is built afresh (new token, renewed fence) and tried again after a backoff.
   */
  async #transact(writes: readonly Write[]): Promise<void> {
    if (this.#released) throw new NotWrittenError('the lease was released; take it again to write');
    const { client, tableName } = this.table;
    const build = () => ({
      TransactItems: [
        fence(tableName, this.lease, this.clock, this.leaseMs),
        ...writes.map((write) => write.action),
      ],
      ClientRequestToken: randomUUID(),
    });
    let input = build();
    for (let attempt = 1; ; attempt++) {
      const request = input;
      try {
        await classified('TransactWriteItems', () => client.send(new TransactWriteItemsCommand(request)));
        return;
      } catch (error) {
        if (error instanceof TransientStoreError && attempt < this.policy.maxAttempts) {
          await this.clock.sleep(backoffDelay(this.policy, attempt));
          continue;
        }
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [lease, ...codes] = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
        if (lease === 'ConditionalCheckFailed') {
          throw new NotWrittenError(
            `the upload lost its lease on ${this.lease.receipt.imageId}/${this.lease.receipt.receiptId} to another upload`,
            { cause: error },
          );
        }
        const refused = codes.indexOf('ConditionalCheckFailed');
        if (refused >= 0 && writes[refused]?.ifAbsent) {
          throw new CreatedMeanwhileError(`${writes[refused]?.what}`, { cause: error });
        }
        if (refused >= 0) {
          throw new NotWrittenError(
            `the receipt changed while it was written (${writes[refused]?.what}); try again`,
            { cause: error },
          );
        }
        const all = [lease, ...codes];
        if (!all.every((code) => code === 'None' || code === 'TransactionConflict')) {
          // A permanent refusal (ValidationError...): not written either, but trying again will not help.
          throw new RefusedWriteError(`DynamoDB TransactWriteItems was canceled (${all.join(', ')})`, {
            cause: error,
          });
        }
        if (attempt >= this.policy.maxAttempts) {
          throw new NotWrittenError(
            `DynamoDB TransactWriteItems conflicted ${attempt} times with other writes; try again`,
            { cause: error },
          );
        }
        await this.clock.sleep(backoffDelay(this.policy, attempt));
        input = build();
      }
    }
  }
}

/** A write DynamoDB canceled (so none of its transaction happened), to be tried again later. */
class NotWrittenError extends TransientStoreError {}

/** A creation canceled because another writer created the item meanwhile (nothing of its transaction happened). */
class CreatedMeanwhileError extends NotWrittenError {}

/** A write DynamoDB refused for good (none of its transaction happened). */
class RefusedWriteError extends Error {
  override readonly name = 'RefusedWriteError';
}

function putNew(tableName: string, item: Item): TransactWriteItem {
  const expression = new ExpressionAttributes();
  return {
    Put: {
      TableName: tableName,
      Item: item,
      ConditionExpression: `attribute_not_exists(${expression.name('PK')})`,
      ...expression.input,
    },
  };
}

/** A line or word as read, or undefined when it cannot be read. */
function decodes(item: Item): ReceiptLine | undefined {
  try {
    return WORD_SK.test(item.SK?.S ?? '') ? fromReceiptWordItem(item) : fromReceiptLineItem(item);
  } catch (error) {
    if (!(error instanceof InvalidValueError)) throw error;
    return undefined;
  }
}

/** What an action did to the item of its key, in the map of current items. */
function applyTo(current: Map<string, Item>, action: TransactWriteItem): void {
  if (action.Put?.Item) current.set(action.Put.Item.SK?.S ?? '', action.Put.Item);
  if (action.Delete?.Key) current.delete(action.Delete.Key.SK?.S ?? '');
}

/**
 * Consecutive runs of at most 99 actions and ~3.5 MB, never two on one key (a transaction refuses that): the
 * order of the writes is kept.
 */
function transactionChunks<T>(writes: readonly T[], action: (write: T) => TransactWriteItem): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  let keys = new Set<string>();
  for (const write of writes) {
    const act = action(write);
    const item = act.Put?.Item ?? act.Delete?.Key ?? act.Update?.Key ?? {};
    const key = `${item.PK?.S}|${item.SK?.S}`;
    const size = itemSize(item);
    if (chunk.length >= WRITES_PER_TRANSACTION || bytes + size > BYTES_PER_TRANSACTION || keys.has(key)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
      keys = new Set();
    }
    chunk.push(write);
    bytes += size;
    keys.add(key);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
