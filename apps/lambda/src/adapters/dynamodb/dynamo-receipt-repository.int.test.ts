import { receiptRepositoryContract } from '@receipt-gate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../../../test/dynamodb.js';
import { DynamoReceiptRepository } from './dynamo-receipt-repository.js';

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});
afterAll(() => table.drop());

receiptRepositoryContract(
  { describe, it, expect },
  'DynamoReceiptRepository',
  async () => ({ receipts: new DynamoReceiptRepository(table) }),
  { idSeed: Date.now() },
);
