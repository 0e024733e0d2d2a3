import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  InvalidValueError,
  isCorrectableField,
  type MetadataCorrection,
  type MetadataUpdateResult,
  parseReceiptMetadata,
  type ReceiptMetadata,
  type ReceiptMetadataRepository,
  type ReceiptRef,
  withoutUndefined,
} from '@receipt-gate/core';
import { optionalS, s } from './attribute-values.js';
import { classified } from './classify-error.js';
import type { DynamoTableOptions } from './dynamo-table-options.js';
import { ExpressionAttributes } from './expression-attributes.js';
import { metadataKey } from './keys.js';
import {
  CORRECTION_ATTRIBUTES,
  fromReceiptMetadataItem,
  merchantGsi1pk,
  toReceiptMetadataItem,
} from './receipt-metadata-item.js';

type CorrectableField = keyof MetadataCorrection;

// GSI1PK is derived from both names: a change of either recomputes it from the pair read.
const MERCHANT_KEY_FIELDS: readonly CorrectableField[] = ['merchantName', 'canonicalMerchantName'];

/**
 * ReceiptMetadataRepository on the shared table. An update is one UpdateItem that sets only the changed fields
 * (and the timestamp), conditional on each of them still holding the value read: optimistic concurrency, never
 * a blind whole-item put.
 */
export class DynamoReceiptMetadataRepository implements ReceiptMetadataRepository {
  readonly #client: DynamoTableOptions['client'];
  readonly #tableName: string;

  constructor(options: DynamoTableOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async getMetadata(receipt: ReceiptRef): Promise<ReceiptMetadata | undefined> {
    const { Item: item } = await classified('GetItem', () =>
      this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: metadataKey(receipt), ConsistentRead: true }),
      ),
    );
    return item && fromReceiptMetadataItem(item);
  }

  async saveMetadata(metadata: ReceiptMetadata): Promise<void> {
    const item = toReceiptMetadataItem(parseReceiptMetadata(metadata));
    await classified('PutItem', () =>
      this.#client.send(new PutItemCommand({ TableName: this.#tableName, Item: item })),
    );
  }

  /**
   * When a change touches one of the two names GSI1PK is derived from, the other one is part of the condition
   * too, so the recomputed GSI1PK is never built from a name that changed meanwhile (the caller re-reads).
   */
  async updateMetadata(
    expected: ReceiptMetadata,
    changes: MetadataCorrection,
    at: string,
  ): Promise<MetadataUpdateResult> {
    // A field given as undefined is no change.
    const defined = withoutUndefined({ ...changes });
    const fields = changedFields(defined);
    // The new values (and `at`) are validated before anything is written.
    const updated = parseReceiptMetadata({ ...expected, ...defined, timestamp: at });

    const expression = new ExpressionAttributes();
    const assignments = fields.map((field) => {
      const value = field === 'merchantName' ? s(updated.merchantName) : optionalS(updated[field]);
      return `${expression.name(CORRECTION_ATTRIBUTES[field])} = ${expression.value(value)}`;
    });
    assignments.push(`${expression.name('timestamp')} = ${expression.value(s(updated.timestamp))}`);
    const touchesMerchantKey = fields.some((field) => MERCHANT_KEY_FIELDS.includes(field));
    if (touchesMerchantKey) {
      assignments.push(`${expression.name('GSI1PK')} = ${expression.value(s(merchantGsi1pk(updated)))}`);
    }
    const guarded = new Set([...fields, ...(touchesMerchantKey ? MERCHANT_KEY_FIELDS : [])]);
    const unchanged = [...guarded].map((field) => {
      const name = expression.name(CORRECTION_ATTRIBUTES[field]);
      const value = expected[field];
      // "" is stored as NULL, so an absent value read matches a missing, NULL or "" attribute.
      return value === undefined || value === ''
        ? `(attribute_not_exists(${name}) OR attribute_type(${name}, ${expression.value(s('NULL'))}) OR ${name} = ${expression.value(s(''))})`
        : `${name} = ${expression.value(s(value))}`;
    });

    try {
      const { Attributes: item } = await classified('UpdateItem', () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#tableName,
            Key: metadataKey(expected),
            UpdateExpression: `SET ${assignments.join(', ')}`,
            ConditionExpression: [`attribute_exists(${expression.name('PK')})`, ...unchanged].join(' AND '),
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ...expression.input,
          }),
        ),
      );
      return { applied: true, metadata: fromReceiptMetadataItem(item ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { applied: false, current: error.Item && fromReceiptMetadataItem(error.Item) };
    }
  }
}

function changedFields(changes: MetadataCorrection): CorrectableField[] {
  const fields = Object.keys(changes);
  if (fields.length === 0) {
    throw new InvalidValueError('RECEIPT_METADATA', 'an update must change at least one field');
  }
  for (const field of fields) {
    if (!isCorrectableField(field)) {
      throw new InvalidValueError(`RECEIPT_METADATA.${field}`, 'is not a field a validation may correct');
    }
  }
  return fields as CorrectableField[];
}
