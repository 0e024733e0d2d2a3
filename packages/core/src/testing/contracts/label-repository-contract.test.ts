import { describe, expect, it } from 'vitest';
import { InMemoryCompactionRunRepository } from '../in-memory-compaction-run-repository.js';
import { InMemoryLabelRepository } from '../in-memory-label-repository.js';
import { labelRepositoryContract } from './label-repository-contract.js';

labelRepositoryContract({ describe, it, expect }, 'InMemoryLabelRepository', async () => {
  const runs = new InMemoryCompactionRunRepository();
  const labels = new InMemoryLabelRepository({ runs });
  return { labels, runs, seedLabel: async (label) => labels.put(label) };
});
