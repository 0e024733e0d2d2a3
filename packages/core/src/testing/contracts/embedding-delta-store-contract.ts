import { deltaPrefix, lineVectorId } from '../../compaction/vector-ids.js';
import type { CompactionRunKey } from '../../domain/compaction-run.js';
import type { EmbeddingDeltaStore, EmbeddingVector } from '../../ports/embedding-store.js';
import { contractIds } from './contract-ids.js';
import type { ContractOptions, ContractTestApi } from './contract-test-api.js';

export interface EmbeddingDeltaStoreContractSubject {
  readonly deltas: EmbeddingDeltaStore;
}

/** What every EmbeddingDeltaStore must do, whatever holds the deltas. */
export function embeddingDeltaStoreContract(
  api: ContractTestApi,
  name: string,
  makeSubject: () => Promise<EmbeddingDeltaStoreContractSubject>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = api;
  const ids = contractIds(`embedding-deltas:${name}`, options.idSeed);
  const newKey = (): CompactionRunKey => ({ imageId: ids.uuid(), receiptId: 1, runId: ids.uuid() });
  const lines = (key: CompactionRunKey, count: number): EmbeddingVector[] =>
    Array.from({ length: count }, (_, i) => ({
      id: lineVectorId({ ...key, lineId: count - i }),
      values: [1 / 3, -(10 ** -9), i],
      metadata: {
        text: `line ${count - i}`,
        line_id: count - i,
        noise: false,
        valid_labels_array: i === 0 ? ['TAX', "O'Brien"] : [],
      },
    }));

  describe(`EmbeddingDeltaStore contract: ${name}`, () => {
    it('reads a missing delta as undefined', async () => {
      const { deltas } = await makeSubject();
      expect(await deltas.getDelta(deltaPrefix(newKey(), 'lines'))).toBeUndefined();
    });

    it('round-trips a delta exactly (values at full precision, label lists) and in order, an empty one included', async () => {
      const { deltas } = await makeSubject();
      const key = newKey();
      await deltas.putDelta(deltaPrefix(key, 'lines'), lines(key, 3));
      await deltas.putDelta(deltaPrefix(key, 'words'), []);
      expect(await deltas.getDelta(deltaPrefix(key, 'lines'))).toEqual(lines(key, 3));
      expect(await deltas.getDelta(deltaPrefix(key, 'words'))).toEqual([]);
    });

    it('replaces a delta put again under the same prefix, whole', async () => {
      const { deltas } = await makeSubject();
      const key = newKey();
      await deltas.putDelta(deltaPrefix(key, 'lines'), lines(key, 3));
      await deltas.putDelta(deltaPrefix(key, 'lines'), lines(key, 1));
      expect(await deltas.getDelta(deltaPrefix(key, 'lines'))).toEqual(lines(key, 1));
    });

    it('keeps deltas under different prefixes apart, a prefix inside another included', async () => {
      const { deltas } = await makeSubject();
      const key = newKey();
      const outer = deltaPrefix(key, 'lines');
      const inner = `${outer}retry/`;
      await deltas.putDelta(outer, lines(key, 2));
      await deltas.putDelta(inner, lines(key, 1));
      expect(await deltas.getDelta(outer)).toEqual(lines(key, 2));
      expect(await deltas.getDelta(inner)).toEqual(lines(key, 1));
      expect(await deltas.getDelta(deltaPrefix(key, 'words'))).toBeUndefined();
      expect(await deltas.getDelta(deltaPrefix({ ...key, runId: ids.uuid() }, 'lines'))).toBeUndefined();
    });

    it('deletes a delta under exactly its prefix, and deleting a missing one is harmless', async () => {
      const { deltas } = await makeSubject();
      const key = newKey();
      const outer = deltaPrefix(key, 'lines');
      const inner = `${outer}retry/`;
      await deltas.putDelta(outer, lines(key, 2));
      await deltas.putDelta(inner, lines(key, 1));
      await deltas.deleteDelta(outer);
      expect(await deltas.getDelta(outer)).toBeUndefined();
      expect(await deltas.getDelta(inner)).toEqual(lines(key, 1));
      await deltas.deleteDelta(outer);
      await deltas.deleteDelta(deltaPrefix(newKey(), 'words'));
      await deltas.putDelta(outer, lines(key, 3));
      expect(await deltas.getDelta(outer)).toEqual(lines(key, 3));
    });
  });
}
