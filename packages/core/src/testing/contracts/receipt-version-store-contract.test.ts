import { describe, expect, it } from 'vitest';
import type { Clock } from '../../ports/clock.js';
import { InMemoryCompactionRunRepository } from '../in-memory-compaction-run-repository.js';
import { InMemoryLabelRepository } from '../in-memory-label-repository.js';
import { InMemoryMerchantRecordRepository } from '../in-memory-merchant-record-repository.js';
import { InMemoryReceiptRepository } from '../in-memory-receipt-repository.js';
import { InMemoryReceiptVersionStore } from '../in-memory-receipt-version-store.js';
import { receiptVersionStoreContract } from './receipt-version-store-contract.js';

// Lease waits are real (short) waits here.
const clock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

receiptVersionStoreContract({ describe, it, expect }, 'InMemoryReceiptVersionStore', async () => {
  const runs = new InMemoryCompactionRunRepository();
  const labels = new InMemoryLabelRepository({ runs });
  const stores = {
    receipts: new InMemoryReceiptRepository(),
    labels,
    metadata: new InMemoryMerchantRecordRepository(),
    runs,
    clock,
  };
  return {
    versions: new InMemoryReceiptVersionStore(stores),
    shortLeases: new InMemoryReceiptVersionStore({ ...stores, leaseMs: 300 }),
    runs,
    clock,
    seedLabel: async (label) => labels.put(label),
  };
});
