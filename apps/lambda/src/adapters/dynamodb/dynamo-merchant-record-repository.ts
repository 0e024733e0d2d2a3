import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  InvalidValueError,
  type MerchantRecord,
  type MerchantRecordRepository,
  type MerchantRecordUpdateResult,
  NOOP_TELEMETRY,
  parseMerchantRecord,
  parseMerchantRecordChange,
  type ReceiptRef,
  sameMerchantRecord,
  type Telemetry,
} from '@receipt-gate/core';
import { type Item, s } from './attribute-values.js';
import { classified } from './classify-error.js';
import type { DynamoTableOptions } from './dynamo-table-options.js';
import { ExpressionAttributes } from './expression-attributes.js';
import { summaryKey } from './keys.js';
import type { MerchantRecordCodec } from './merchant-record-codec.js';
import { reportUnreadable } from './unreadable-items.js';

export interface DynamoMerchantRecordRepositoryOptions extends DynamoTableOptions {
  /** The item format: RECEIPT_PLACE_CODEC, or RECEIPT_METADATA_CODEC for a table that has not migrated. */
  readonly codec: MerchantRecordCodec;
  /** Where unreadable items are reported (default: nowhere). */
  readonly telemetry?: Telemetry;
}

/**
 * MerchantRecordRepository on the shared table, in the codec's item format. Writes never damage what others
 * stored: a new record is a Put conditional on no item existing; a change is one UpdateItem that sets (or removes)
 * only the attributes whose value changes, conditional on every attribute of the item being as it was read (and
 * none of the format's having appeared since). A stored item that does not fit the format is reported, read as
 * absent and never written.
 */
export class DynamoMerchantRecordRepository implements MerchantRecordRepository {
  readonly #client: DynamoTableOptions['client'];
  readonly #tableName: string;
  readonly #codec: MerchantRecordCodec;
  readonly #telemetry: Telemetry;

  constructor(options: DynamoMerchantRecordRepositoryOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#codec = options.codec;
    this.#telemetry = options.telemetry ?? NOOP_TELEMETRY;
  }

  async getMerchantRecord(receipt: ReceiptRef): Promise<MerchantRecord | undefined> {
    const item = await this.#getItem(receipt);
    return item && this.#read(receipt, item);
  }

  async addMerchantRecord(record: MerchantRecord): Promise<boolean> {
    const item = this.#codec.toItem(parseMerchantRecord(record));
    const expression = new ExpressionAttributes();
    try {
      await classified('PutItem', () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#tableName,
            Item: item,
            ConditionExpression: `attribute_not_exists(${expression.name('PK')})`,
            ...expression.input,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async updateMerchantRecord(
    expected: MerchantRecord,
    next: MerchantRecord,
  ): Promise<MerchantRecordUpdateResult> {
    const parsed = parseMerchantRecordChange(expected, next);
    // What is stored now, raw: the update is conditional on exactly this, so nothing written since is lost.
    const stored = await this.#getItem(expected);
    const current = stored && this.#read(expected, stored);
    if (!stored || !current || !sameMerchantRecord(current, expected)) return { applied: false, current };

    const { set, remove } = this.#codec.changes(expected, parsed, stored);
    // A change only of fields this format does not hold writes nothing.
    if (Object.keys(set).length === 0 && remove.length === 0) return { applied: true, record: current };
    const expression = new ExpressionAttributes();
    const assignments = Object.entries(set).map(
      ([name, value]) => `${expression.name(name)} = ${expression.value(value)}`,
    );
    const removals = remove.map((name) => expression.name(name));
    const update = [
      assignments.length > 0 ? `SET ${assignments.join(', ')}` : '',
      removals.length > 0 ? `REMOVE ${removals.join(', ')}` : '',
    ].join(' ');
    try {
      const { Attributes: item } = await classified('UpdateItem', () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#tableName,
            Key: this.#codec.key(expected),
            UpdateExpression: update.trim(),
            ConditionExpression: unchangedSince(stored, this.#codec.attributes, expression),
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ...expression.input,
          }),
        ),
      );
      if (this.#codec.namesSummary && parsed.merchantName !== expected.merchantName) {
        await this.#nameSummary(parsed);
      }
      return { applied: true, record: this.#codec.fromItem(item ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { applied: false, current: error.Item && this.#read(expected, error.Item) };
    }
  }

  async #getItem(receipt: ReceiptRef): Promise<Item | undefined> {
    const { Item: item } = await classified('GetItem', () =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: this.#codec.key(receipt),
          ConsistentRead: true,
        }),
      ),
    );
    return item;
  }

  #read(receipt: ReceiptRef, item: Item): MerchantRecord | undefined {
    try {
      return this.#codec.fromItem(item);
    } catch (error) {
      if (!(error instanceof InvalidValueError)) throw error;
      reportUnreadable(this.#telemetry, receipt, this.#codec.type, item, error);
      return undefined;
    }
  }

  /** The receipt's RECEIPT_SUMMARY carries the merchant name too: set it there, if the receipt has a summary. */
  async #nameSummary(record: MerchantRecord): Promise<void> {
    const expression = new ExpressionAttributes();
    try {
      await classified('UpdateItem', () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#tableName,
            Key: summaryKey(record),
            UpdateExpression: `SET ${expression.name('merchant_name')} = ${expression.value(s(record.merchantName))}`,
            ConditionExpression: `attribute_exists(${expression.name('PK')})`,
            ...expression.input,
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/**
 * A condition that holds only while the item is exactly `stored`: each of its attributes equal to the value read
 * (NULL by type, as NULL does not compare equal), and each attribute of the format it lacked still absent.
 */
function unchangedSince(
  stored: Item,
  attributes: readonly string[],
  expression: ExpressionAttributes,
): string {
  const present = Object.entries(stored).map(([name, value]) =>
    value.NULL
      ? `attribute_type(${expression.name(name)}, ${expression.value(s('NULL'))})`
      : `${expression.name(name)} = ${expression.value(value)}`,
  );
  const absent = attributes
    .filter((name) => !(name in stored))
    .map((name) => `attribute_not_exists(${expression.name(name)})`);
  return [...present, ...absent].join(' AND ');
}
