import { describe, expect, it } from 'vitest';
import { NOOP_TELEMETRY } from '../telemetry/noop-telemetry.js';
import { sampleLabel, sampleMetadata } from '../testing/contracts/contract-fixtures.js';
import { compactBatch } from './compaction-batch.js';
import { compactionWorld, RECEIPT, WORDS } from './compaction-world.test-support.js';
import { LABEL_VECTOR_FIELDS } from './label-vector-fields.js';
import { collectionsOf, refreshReceiptVectors } from './refresh-receipt-vectors.js';

/** A receipt merged into both collections, then a label decided and the merchant renamed in the table. */
async function mergedAndChanged() {
  const world = compactionWorld();
  const run = await world.upload();
  await compactBatch({ ...world, telemetry: NOOP_TELEMETRY, deadLetter: async () => {} }, [
    { partitionKey: RECEIPT.imageId, receipt: RECEIPT, change: { kind: 'run', run } },
  ]);
  world.labels.put(sampleLabel(RECEIPT, 1, 1, 'TAX', { validationStatus: 'VALID' }));
  world.merchantRecords.put({ ...sampleMetadata(RECEIPT), merchantName: 'RENAMED' });
  return world;
}

const names = (world: ReturnType<typeof compactionWorld>, collection: 'lines' | 'words') =>
  world.snapshots.peek(collection).map((vector) => vector.metadata.merchant_name);

describe('refreshReceiptVectors', () => {
  it('puts label fields on words only, and merchant fields on both, counting the vectors of each', async () => {
    const world = await mergedAndChanged();
    expect(await refreshReceiptVectors(world, RECEIPT, new Set(['labels', 'merchant']))).toEqual({
      lines: 2,
      words: WORDS.length,
    });
    expect(names(world, 'lines')).toEqual(['RENAMED', 'RENAMED']);
    expect(new Set(names(world, 'words'))).toEqual(new Set(['RENAMED']));
    for (const line of world.snapshots.peek('lines')) {
      for (const field of LABEL_VECTOR_FIELDS) expect(line.metadata).not.toHaveProperty(field);
    }
  });

  it('refreshes the words alone for labels, and only the collections asked for', async () => {
    const world = await mergedAndChanged();
    expect(collectionsOf(new Set(['labels']))).toEqual(['words']);
    expect(collectionsOf(new Set())).toEqual([]);
    expect(await refreshReceiptVectors(world, RECEIPT, new Set(['labels']))).toStrictEqual({
      words: WORDS.length,
    });
    expect(names(world, 'lines')).not.toContain('RENAMED');
    expect(await refreshReceiptVectors(world, RECEIPT, new Set(['labels', 'merchant']), ['lines'])).toEqual({
      lines: 2,
    });
    expect(names(world, 'lines')).toEqual(['RENAMED', 'RENAMED']);
    expect(names(world, 'words')).not.toContain('RENAMED');
  });

  it('asks nothing of a collection that carries none of the parts', async () => {
    const world = await mergedAndChanged();
    world.snapshots.refreshFaults.failNext(1, 'transient');
    expect(await refreshReceiptVectors(world, RECEIPT, new Set(['labels']), ['lines'])).toStrictEqual({});
  });

  it("fails when a collection's refresh fails", async () => {
    const world = await mergedAndChanged();
    world.snapshots.refreshFaults.failNext(1, 'transient');
    await expect(refreshReceiptVectors(world, RECEIPT, new Set(['merchant']))).rejects.toThrow(/refresh/);
  });
});
