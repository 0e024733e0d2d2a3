import { describe, expect, it } from 'vitest';
import { InMemoryReceiptMetadataRepository } from '../in-memory-receipt-metadata-repository.js';
import { receiptMetadataRepositoryContract } from './receipt-metadata-repository-contract.js';

receiptMetadataRepositoryContract(
  { describe, it, expect },
  'InMemoryReceiptMetadataRepository',
  async () => ({
    metadata: new InMemoryReceiptMetadataRepository(),
  }),
);
