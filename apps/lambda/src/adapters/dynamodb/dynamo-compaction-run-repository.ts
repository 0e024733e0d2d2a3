import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type CollectionTransition,
  type CompactionCollection,
  type CompactionRun,
  CompactionRunExistsError,
  type CompactionRunKey,
  type CompactionRunRepository,
  InvalidValueError,
  parseCompactionRun,
  parseTimestamp,
  type ReadOptions,
  statesBefore,
  type TransitionResult,
} from '@receipt-gate/core';
import { NULL, n, optionalS, s } from './attribute-values.js';
import { classified } from './classify-error.js';
import {
  COMPACTION_RUN_ATTRIBUTES,
  collectionAttributes,
  collectionStateOf,
  fromCompactionRunItem,
  toCompactionRunItem,
} from './compaction-run-item.js';
import type { DynamoTableOptions } from './dynamo-table-options.js';
import { ExpressionAttributes, projection } from './expression-attributes.js';
import { compactionRunKey } from './keys.js';

/**
 * CompactionRunRepository on the shared table. Reads are strongly consistent; every transition is one
 * conditional UpdateItem on the state of its own collection only, so it never overwrites the other collection
 * (the lost update of the original) and COMPLETED is final.
 */
export class DynamoCompactionRunRepository implements CompactionRunRepository {
  readonly #client: DynamoTableOptions['client'];
  readonly #tableName: string;

  constructor(options: DynamoTableOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async getCompactionRun(
    key: CompactionRunKey,
    options: ReadOptions = {},
  ): Promise<CompactionRun | undefined> {
    const { signal } = options;
    const { Item: item } = await classified('GetItem', () =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: compactionRunKey(key),
          ConsistentRead: true,
          ...projection(COMPACTION_RUN_ATTRIBUTES),
        }),
        { abortSignal: signal },
      ),
    );
    return item && fromCompactionRunItem(item);
  }

  /**
   * Creates the run unless its key exists. An existing run is the same run when it was created with the same
   * delta prefixes and creation time: writing it again is then harmless even after its collections moved on
   * (a retried upload must not fail because the compactor already started); any other run is refused.
   */
  async createCompactionRun(run: CompactionRun): Promise<void> {
    const parsed = parseCompactionRun(run);
    const expression = new ExpressionAttributes();
    try {
      await classified('PutItem', () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#tableName,
            Item: toCompactionRunItem(parsed),
            ConditionExpression: `attribute_not_exists(${expression.name('PK')})`,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ...expression.input,
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item && fromCompactionRunItem(error.Item);
      if (!existing || !sameCreation(existing, parsed)) throw new CompactionRunExistsError(parsed);
    }
  }

  async transitionCollection(
    key: CompactionRunKey,
    collection: CompactionCollection,
    transition: CollectionTransition,
  ): Promise<TransitionResult> {
    const expression = new ExpressionAttributes();
    const state = expression.name(collectionAttributes(collection).state);
    const allowed = statesBefore(transition.to);
    // A missing or NULL state reads as PENDING, so it must match where PENDING does.
    const legal = [`${state} IN (${allowed.map((from) => expression.value(s(from))).join(', ')})`];
    if (allowed.includes('PENDING')) {
      legal.push(
        `attribute_not_exists(${state})`,
        `attribute_type(${state}, ${expression.value(s('NULL'))})`,
      );
    }
    const assignments = Object.entries(transitionAttributes(collection, transition)).map(
      ([attribute, value]) => `${expression.name(attribute)} = ${expression.value(value)}`,
    );
    try {
      const { Attributes: updated } = await classified('UpdateItem', () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#tableName,
            Key: compactionRunKey(key),
            UpdateExpression: `SET ${assignments.join(', ')}`,
            ConditionExpression: `attribute_exists(${expression.name('PK')}) AND (${legal.join(' OR ')})`,
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ...expression.input,
          }),
        ),
      );
      return { applied: true, run: fromCompactionRunItem(updated ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { applied: false, current: error.Item && collectionStateOf(error.Item, collection) };
    }
  }
}

function sameCreation(existing: CompactionRun, run: CompactionRun): boolean {
  return (
    existing.linesDeltaPrefix === run.linesDeltaPrefix &&
    existing.wordsDeltaPrefix === run.wordsDeltaPrefix &&
    existing.createdAt === run.createdAt
  );
}

/**
 * The attributes a transition sets, as the in-memory fake changes the run: a retry (PROCESSING) starts afresh,
 * clearing the previous attempt's end and error (NULL, as the existing services store absent values).
 */
function transitionAttributes(
  collection: CompactionCollection,
  transition: CollectionTransition,
): Record<string, AttributeValue> {
  const at = parseTimestamp('at', transition.at);
  const attributes = collectionAttributes(collection);
  const common = { [attributes.state]: s(transition.to), updated_at: s(at) };
  switch (transition.to) {
    case 'PROCESSING':
      return {
        ...common,
        [attributes.startedAt]: s(at),
        [attributes.finishedAt]: NULL,
        [attributes.error]: NULL,
      };
    case 'COMPLETED':
      return {
        ...common,
        [attributes.finishedAt]: s(at),
        [attributes.mergedVectors]: n(mergedCount(transition.mergedVectors)),
      };
    case 'FAILED':
      return { ...common, [attributes.finishedAt]: s(at), [attributes.error]: optionalS(transition.error) };
  }
}

function mergedCount(value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidValueError('mergedVectors', `expected a non-negative integer, got ${value}`);
  }
  return value;
}
