import { describe, expect, it } from 'vitest';
import { InMemoryMerchantRecordRepository } from '../in-memory-merchant-record-repository.js';
import { merchantRecordRepositoryContract } from './merchant-record-repository-contract.js';

merchantRecordRepositoryContract({ describe, it, expect }, 'InMemoryMerchantRecordRepository', async () => ({
  merchants: new InMemoryMerchantRecordRepository(),
}));
