import { describe, expect, it } from 'vitest';
import { InMemoryCompactionRunRepository } from '../in-memory-compaction-run-repository.js';
import { compactionRunRepositoryContract } from './compaction-run-repository-contract.js';

compactionRunRepositoryContract({ describe, it, expect }, 'InMemoryCompactionRunRepository', async () => ({
  runs: new InMemoryCompactionRunRepository(),
}));
