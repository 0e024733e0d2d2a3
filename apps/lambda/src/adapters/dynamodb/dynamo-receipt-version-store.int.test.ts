import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ReceiptRef } from '@receipt-gate/core';
import { receiptVersionStoreContract, SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../../../test/dynamodb.js';
import { sampleVersion } from '../../../test/sample-versions.js';
import { SystemClock } from '../clock/system-clock.js';
import { DynamoCompactionRunRepository } from './dynamo-compaction-run-repository.js';
import { DynamoLabelRepository } from './dynamo-label-repository.js';
import { DynamoReceiptVersionStore } from './dynamo-receipt-version-store.js';
import { leaseKey } from './receipt-lease.js';
import { RECEIPT_PLACE_CODEC } from './receipt-place-item.js';
import { toReceiptWordItem, wordKey } from './receipt-text-item.js';

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable('versions');
});
afterAll(() => table.drop());

const clock = new SystemClock();
const store = (leaseMs?: number) =>
  new DynamoReceiptVersionStore({ ...table, codec: RECEIPT_PLACE_CODEC, clock, ...(leaseMs && { leaseMs }) });

receiptVersionStoreContract(
  { describe, it, expect },
  'DynamoReceiptVersionStore',
  async () => {
    const labels = new DynamoLabelRepository(table);
    return {
      versions: store(),
      shortLeases: store(300),
      runs: new DynamoCompactionRunRepository(table),
      clock,
      seedLabel: async (label) => {
        await labels.saveLabels([label]);
      },
    };
  },
  { idSeed: Date.now() },
);

const [sample] = SAMPLE_RECEIPTS;
if (!sample) throw new Error('no sample receipt');

describe('DynamoReceiptVersionStore on DynamoDB Local', () => {
  const newReceipt = (): ReceiptRef => ({ imageId: crypto.randomUUID(), receiptId: 1 });
  const versionOf = sampleVersion;
  const waitUntil = () => clock.now() + 5_000;

  it('never touches a line or word another service stored in a form it cannot read, kept or dropped', async () => {
    const receipt = newReceipt();
    const versions = store();
    const version = versions.check(versionOf(receipt, 3)).version;
    const [word] = version.words;
    if (!word) throw new Error('no word');
    // Extracted data holding a number: the existing services cannot read this word.
    const unreadable = { ...toReceiptWordItem(word), extracted_data: { M: { value: { N: '4.5' } } } };
    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: unreadable }));
    const read = async () =>
      (
        await table.client.send(
          new GetItemCommand({
            TableName: table.tableName,
            Key: wordKey(word),
            ConsistentRead: true,
          }),
        )
      ).Item;
    expect((await versions.read(receipt)).unreadable).toEqual([`${word.lineId}/${word.wordId}`]);

    const dropped = { ...version, words: version.words.filter((other) => other !== word) };
    for (const next of [version, dropped]) {
      const lease = await versions.lease(receipt, { waitUntil: waitUntil() });
      await lease.writeContent(next, []);
      await lease.release();
      expect(await read()).toEqual(unreadable);
    }
    expect((await versions.read(receipt)).words).toEqual(dropped.words);
  });

  it('keeps a merchant record another service creates while the upload writes, and writes the rest', async () => {
    const receipt = newReceipt();
    const versions = store();
    const version = versions.check({
      ...versionOf(receipt, 2),
      metadata: { ...sample.metadata, ...receipt },
    }).version;
    const lease = await versions.lease(receipt, { waitUntil: waitUntil() });
    // After the lease read the receipt (no record then), another service creates its own.
    const theirs = { ...sample.metadata, ...receipt, merchantName: 'Their Name' };
    await table.client.send(
      new PutItemCommand({ TableName: table.tableName, Item: RECEIPT_PLACE_CODEC.toItem(theirs) }),
    );
    await lease.writeContent(version, []);
    await lease.release();
    const stored = await versions.read(receipt);
    expect(stored.lines).toEqual(version.lines);
    expect(stored.metadata?.merchantName).toBe('Their Name');
  });

  it('leaves no lease item behind once released, and keeps it out of every index', async () => {
    const receipt = newReceipt();
    const versions = store();
    const lease = await versions.lease(receipt, { waitUntil: waitUntil() });
    const item = (
      await table.client.send(
        new GetItemCommand({ TableName: table.tableName, Key: leaseKey(receipt), ConsistentRead: true }),
      )
    ).Item;
    expect(Object.keys(item ?? {}).sort()).toEqual(['PK', 'SK', 'expires_at', 'time_to_live', 'token']);
    await lease.writeContent(versions.check(versionOf(receipt, 1)).version, []);
    await lease.release();
    expect((await table.items()).filter((found) => found.PK?.S === leaseKey(receipt).PK?.S)).toEqual([]);
  });

  it('refuses, naming the item and field, what DynamoDB could not store, and reads back what it can', () => {
    const receipt = newReceipt();
    const version = versionOf(receipt, 2);
    const [first, second] = version.words;
    if (!first || !second) throw new Error('no words');
    const checked = store().check({
      ...version,
      words: [
        { ...first, extractedData: { '': 'empty key' } },
        { ...second, text: 'x'.repeat(410_000) },
        ...version.words.slice(2),
      ],
      lines: version.lines.map((line) => ({ ...line, confidence: 0.004 })),
    });
    expect(checked.problems).toEqual([
      'lines[0]: as stored it would not read back: RECEIPT_LINE.confidence: expected a number in (0, 1], got 0',
      'lines[1]: as stored it would not read back: RECEIPT_LINE.confidence: expected a number in (0, 1], got 0',
      'words[0]: RECEIPT_WORD.extracted_data: has an empty key; DynamoDB refuses empty attribute names',
      expect.stringMatching(
        /^words\[1\]: RECEIPT_WORD\.text: makes the item \d+ bytes; DynamoDB stores items of at most 409600 \(400 KB\)$/,
      ),
    ]);
    const fine = store().check(version);
    expect(fine.problems).toEqual([]);
    expect(fine.version.lines.map((line) => line.confidence)).toEqual(
      version.lines.map((line) => Number(line.confidence.toFixed(2))),
    );
  });
});
