import { describe, expect, it } from 'vitest';
import { parseReceiptMetadata } from '../domain/receipt-metadata.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import { InMemoryReceiptMetadataRepository } from './in-memory-receipt-metadata-repository.js';
import { VirtualClock } from './virtual-clock.js';

const metadata = parseReceiptMetadata({
  imageId: '3f1c2b4a-5d6e-4f70-8a91-b2c3d4e5f607',
  receiptId: 1,
  placeId: 'place',
  merchantName: 'Corner Shop',
  matchedFields: ['name'],
  timestamp: '2026-01-01T00:00:00.000Z',
  address: '1 Main St',
});
const at = '2026-01-01T00:01:00.000Z';

describe('InMemoryReceiptMetadataRepository', () => {
  it('logs each update with its clock time and whether it applied', async () => {
    const clock = new VirtualClock();
    const repository = new InMemoryReceiptMetadataRepository({ clock });
    await repository.saveMetadata(metadata);
    await clock.advance(100);
    await repository.updateMetadata(metadata, { merchantName: 'Corner Shop Ltd' }, at);
    await repository.updateMetadata(metadata, { merchantName: 'Stale Shop', address: undefined }, at);
    const start = Date.UTC(2026, 0, 1);
    expect(repository.updates).toEqual([
      { at: start + 100, changes: { merchantName: 'Corner Shop Ltd' }, applied: true },
      { at: start + 100, changes: { merchantName: 'Stale Shop' }, applied: false },
    ]);
  });

  it('treats a change given as undefined as no change, not as erasing the field', async () => {
    const repository = new InMemoryReceiptMetadataRepository();
    await repository.saveMetadata(metadata);
    await repository.updateMetadata(metadata, { merchantName: 'Corner Shop Ltd', address: undefined }, at);
    expect((await repository.getMetadata(metadata))?.address).toBe('1 Main St');
    await expect(repository.updateMetadata(metadata, { address: undefined }, at)).rejects.toBeInstanceOf(
      InvalidValueError,
    );
  });

  it('clears an optional field changed to "" (stored as NULL)', async () => {
    const repository = new InMemoryReceiptMetadataRepository();
    await repository.saveMetadata(metadata);
    const result = await repository.updateMetadata(metadata, { address: '' }, at);
    expect(result.applied && 'address' in result.metadata).toBe(false);
  });

  it('refuses fields a validation may not correct, and invalid values, before writing or logging', async () => {
    const repository = new InMemoryReceiptMetadataRepository();
    await repository.saveMetadata(metadata);
    const sneaky = { receiptId: 2 } as unknown as { merchantName: string };
    await expect(repository.updateMetadata(metadata, sneaky, at)).rejects.toBeInstanceOf(InvalidValueError);
    await expect(repository.updateMetadata(metadata, { merchantName: ' ' }, at)).rejects.toBeInstanceOf(
      InvalidValueError,
    );
    await expect(repository.updateMetadata(metadata, { address: 'x' }, 'yesterday')).rejects.toBeInstanceOf(
      InvalidValueError,
    );
    expect(await repository.getMetadata(metadata)).toEqual(metadata);
    expect(repository.updates).toEqual([]);
  });

  it('writes nothing when an injected fault fires, on saves and updates alike', async () => {
    const repository = new InMemoryReceiptMetadataRepository();
    repository.writeFaults.failNext(1, 'transient');
    await expect(repository.saveMetadata(metadata)).rejects.toBeInstanceOf(TransientStoreError);
    expect(await repository.getMetadata(metadata)).toBeUndefined();
    await repository.saveMetadata(metadata);
    repository.writeFaults.failNext(1, 'transient');
    await expect(repository.updateMetadata(metadata, { merchantName: 'X' }, at)).rejects.toBeInstanceOf(
      TransientStoreError,
    );
    expect(await repository.getMetadata(metadata)).toEqual(metadata);
    expect(repository.updates).toEqual([]);
  });
});
