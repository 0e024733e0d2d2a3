import { describe, expect, it } from 'vitest';
import { InMemoryReceiptRepository } from '../in-memory-receipt-repository.js';
import { receiptRepositoryContract } from './receipt-repository-contract.js';

receiptRepositoryContract({ describe, it, expect }, 'InMemoryReceiptRepository', async () => ({
  receipts: new InMemoryReceiptRepository(),
}));
