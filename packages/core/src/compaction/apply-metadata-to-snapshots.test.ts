import { describe, expect, it } from 'vitest';
import type { MerchantRecord } from '../domain/merchant-record.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { sampleMetadata } from '../testing/contracts/contract-fixtures.js';
import { applyMetadataToSnapshots } from './apply-metadata-to-snapshots.js';
import { compactRun } from './compact-run.js';
import { compactionWorld, NEIGHBOUR, RECEIPT } from './compaction-world.test-support.js';
import { ReceiptNotMergedError } from './receipt-not-merged-error.js';
import { receiptVectorPrefix } from './vector-ids.js';

const before = sampleMetadata(RECEIPT);
const renamed: MerchantRecord = { ...before, merchantName: 'Contract Coffee Roasters' };

async function merged(...receipts: (typeof RECEIPT)[]) {
  const world = compactionWorld();
  for (const receipt of receipts) await compactRun(world, await world.upload(receipt));
  return world;
}

const fieldsOf = (vectors: { metadata: Readonly<Record<string, unknown>> }[], field: string) =>
  vectors.map((vector) => vector.metadata[field]);

describe('applyMetadataToSnapshots', () => {
  it('refuses an update before the receipt is merged, patching nothing', async () => {
    const { snapshots } = compactionWorld();
    const update = applyMetadataToSnapshots({ snapshots }, { before, after: renamed });
    await expect(update).rejects.toBeInstanceOf(ReceiptNotMergedError);
    await expect(update).rejects.toThrow(
      `receipt ${RECEIPT.imageId}/1 has no vectors in the lines and words snapshots yet (its delta is not merged)`,
    );
    expect(snapshots.peek('lines')).toEqual([]);
    expect(snapshots.peek('words')).toEqual([]);
  });

  it('after the merge, sets the new merchant on every vector of the receipt in both snapshots, and only there', async () => {
    const { snapshots } = await merged(RECEIPT, NEIGHBOUR);
    const neighbours = snapshots.peek('words').filter((v) => v.id.startsWith(receiptVectorPrefix(NEIGHBOUR)));
    const result = await applyMetadataToSnapshots({ snapshots }, { before, after: renamed });
    expect(result).toEqual({
      applied: true,
      fields: {
        merchant_name: 'Contract Coffee Roasters',
        merchant_category: 'cafe',
        address: '1 Contract Street',
        phone_number: '+1 555 0100',
        place_id: 'ChIJ-contract-place',
      },
      patched: { lines: 2, words: 3 },
    });
    const mine = (collection: 'lines' | 'words') =>
      snapshots.peek(collection).filter((v) => v.id.startsWith(receiptVectorPrefix(RECEIPT)));
    expect(fieldsOf(mine('lines'), 'merchant_name')).toEqual(Array(2).fill('Contract Coffee Roasters'));
    expect(fieldsOf(mine('words'), 'merchant_name')).toEqual(Array(3).fill('Contract Coffee Roasters'));
    expect(snapshots.peek('words').filter((v) => v.id.startsWith(receiptVectorPrefix(NEIGHBOUR)))).toEqual(
      neighbours,
    );
  });

  it('clears a removed field', async () => {
    const { snapshots } = await merged(RECEIPT);
    const { address: _, ...after } = before;
    await applyMetadataToSnapshots({ snapshots }, { before, after });
    expect(snapshots.peek('lines')[0]?.metadata).toMatchObject({
      merchant_name: 'Contract Coffee',
      address: '',
    });
  });

  it('applies every field when the old record could not be read', async () => {
    const { snapshots } = await merged(RECEIPT);
    const result = await applyMetadataToSnapshots({ snapshots }, { before: undefined, after: before });
    expect(result).toMatchObject({ applied: true, patched: { lines: 2, words: 3 } });
  });

  it('leaves the snapshots alone when no field they carry changed', async () => {
    const { snapshots } = compactionWorld();
    const after = {
      ...before,
      reasoning: 'checked again',
      validationStatus: 'UNSURE' as const,
      timestamp: '2026-12-01T00:00:00Z',
    };
    expect(await applyMetadataToSnapshots({ snapshots }, { before, after })).toEqual({ applied: false });
    expect(snapshots.writes).toEqual([]);
  });

  it('patches the merged snapshot and still refuses when the other is not merged yet', async () => {
    const { snapshots } = compactionWorld();
    const line = {
      id: `${receiptVectorPrefix(RECEIPT)}LINE#00001`,
      values: [1],
      metadata: { merchant_name: 'x' },
    };
    await snapshots.merge('lines', [line]);
    const update = applyMetadataToSnapshots({ snapshots }, { before, after: renamed });
    await expect(update).rejects.toThrow('has no vectors in the words snapshot yet');
    await expect(update).rejects.toMatchObject({ collections: ['words'] });
    expect(snapshots.peek('lines')[0]?.metadata.merchant_name).toBe('Contract Coffee Roasters');
  });

  it('refuses a change whose before and after name different receipts', async () => {
    const { snapshots } = compactionWorld();
    await expect(
      applyMetadataToSnapshots({ snapshots }, { before, after: sampleMetadata(NEIGHBOUR) }),
    ).rejects.toBeInstanceOf(InvalidValueError);
    const otherImage = { ...before, imageId: '9b2e8c4d-1a3f-4e5b-8c7d-6e5f4a3b2c1d' };
    await expect(applyMetadataToSnapshots({ snapshots }, { before, after: otherImage })).rejects.toThrow(
      `merchant record: before and after name different receipts (${before.imageId}/${before.receiptId}, ${otherImage.imageId}/${otherImage.receiptId})`,
    );
  });
});
