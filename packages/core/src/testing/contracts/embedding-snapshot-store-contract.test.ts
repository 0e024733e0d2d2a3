import { describe, expect, it } from 'vitest';
import { InMemoryEmbeddingSnapshotStore } from '../in-memory-embedding-snapshot-store.js';
import { embeddingSnapshotStoreContract } from './embedding-snapshot-store-contract.js';

embeddingSnapshotStoreContract({ describe, it, expect }, 'InMemoryEmbeddingSnapshotStore', async () => ({
  snapshots: new InMemoryEmbeddingSnapshotStore({ dimensions: 8 }),
  dimensions: 8,
}));
