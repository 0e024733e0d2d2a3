import { receiptMetadataRepositoryContract } from '@receipt-gate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../../../test/dynamodb.js';
import { DynamoReceiptMetadataRepository } from './dynamo-receipt-metadata-repository.js';

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
});
afterAll(() => table.drop());

receiptMetadataRepositoryContract(
  { describe, it, expect },
  'DynamoReceiptMetadataRepository',
  async () => ({ metadata: new DynamoReceiptMetadataRepository(table) }),
  { idSeed: Date.now() },
);
