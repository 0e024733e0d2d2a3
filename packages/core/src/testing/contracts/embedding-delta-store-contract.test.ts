import { describe, expect, it } from 'vitest';
import { InMemoryEmbeddingDeltaStore } from '../in-memory-embedding-delta-store.js';
import { embeddingDeltaStoreContract } from './embedding-delta-store-contract.js';

embeddingDeltaStoreContract({ describe, it, expect }, 'InMemoryEmbeddingDeltaStore', async () => ({
  deltas: new InMemoryEmbeddingDeltaStore(),
}));
