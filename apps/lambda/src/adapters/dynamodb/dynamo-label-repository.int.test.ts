import { PutItemCommand, type TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import {
  CompactionNotCompletedError,
  newCompactionRun,
  parseWordLabel,
  type ReceiptWordLabel,
  type WordLabelName,
} from '@receipt-gate/core';
import { labelRepositoryContract } from '@receipt-gate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable, localClient } from '../../../test/dynamodb.js';
import { DynamoCompactionRunRepository } from './dynamo-compaction-run-repository.js';
import { DynamoLabelRepository } from './dynamo-label-repository.js';
import { toWordLabelItem } from './word-label-item.js';

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});
afterAll(() => table.drop());

labelRepositoryContract(
  { describe, it, expect },
  'DynamoLabelRepository',
  async () => ({
    labels: new DynamoLabelRepository(table),
    runs: new DynamoCompactionRunRepository(table),
    seedLabel: seed,
  }),
  { idSeed: Date.now() },
);

describe('DynamoLabelRepository on DynamoDB Local', () => {
  const receipt = { imageId: '7a9e3c1b-2d4f-4a6b-8c0d-1e2f3a4b5c6d', receiptId: 1 };
  const label = (lineId: number, wordId: number, name: WordLabelName, overrides: object = {}) =>
    parseWordLabel({
      ...receipt,
      lineId,
      wordId,
      label: name,
      timestampAdded: '2026-11-29T12:00:00.000Z',
      validationStatus: 'PENDING',
      labelProposedBy: 'analyzer',
      ...overrides,
    });

  async function completedRun(runId: string) {
    const runs = new DynamoCompactionRunRepository(table);
    const key = { ...receipt, runId };
    await runs.createCompactionRun(
      newCompactionRun({
        ...key,
        linesDeltaPrefix: 'l/',
        wordsDeltaPrefix: 'w/',
        createdAt: '2026-11-29T12:00:00.000Z',
      }),
    );
    for (const collection of ['lines', 'words'] as const) {
      await runs.transitionCollection(key, collection, { to: 'PROCESSING', at: '2026-11-29T12:00:01.000Z' });
      await runs.transitionCollection(key, collection, {
        to: 'COMPLETED',
        at: '2026-11-29T12:00:02.000Z',
        mergedVectors: 1,
      });
    }
    return key;
  }

  it('retries a guarded chunk without a label that someone wrote between the read and the transaction', async () => {
    const key = await completedRun('5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9');
    const proposals = [label(1, 1, 'MERCHANT_NAME'), label(2, 1, 'DATE'), label(3, 1, 'TAX')];
    const decided = {
      ...label(2, 1, 'DATE'),
      validationStatus: 'VALID' as const,
      labelProposedBy: 'reviewer',
    };
    const client = localClient();
    const transactions: TransactWriteItemsCommandInput[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') {
          transactions.push(args.input as TransactWriteItemsCommandInput);
          // A reviewer decides one of the labels after the repository read which labels exist.
          if (transactions.length === 1) await seed(decided);
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const labels = new DynamoLabelRepository({ client, tableName: table.tableName });

    const result = await labels.saveLabels(proposals, { requireCompleted: key });
    client.destroy();
    expect(result).toEqual({
      written: [proposals[0], proposals[2]],
      alreadyPresent: [],
      frozen: [proposals[1]],
    });
    expect(await labels.getLabels(receipt)).toEqual([proposals[0], decided, proposals[2]]);
    expect(transactions.map((input) => input.TransactItems?.length)).toEqual([4, 3]);
    expect(transactions.map((input) => Object.keys(input.TransactItems?.[0] ?? {}))).toEqual([
      ['ConditionCheck'],
      ['ConditionCheck'],
    ]);
    const [first, second] = transactions.map((input) => input.ClientRequestToken);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
  });

  it('refuses a guarded save with nothing left to write while the run is not COMPLETED', async () => {
    const labels = new DynamoLabelRepository(table);
    const existing = label(5, 5, 'SUBTOTAL');
    await labels.saveLabels([existing]);
    const missingRun = { ...receipt, runId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' };
    await expect(labels.saveLabels([existing], { requireCompleted: missingRun })).rejects.toBeInstanceOf(
      CompactionNotCompletedError,
    );
  });
});

async function seed(label: ReceiptWordLabel): Promise<void> {
  await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: toWordLabelItem(label) }));
}
