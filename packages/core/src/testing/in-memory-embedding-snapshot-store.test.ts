import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import { InjectedPermanentError } from './fault-injector.js';
import { InMemoryEmbeddingSnapshotStore } from './in-memory-embedding-snapshot-store.js';
import { VirtualClock } from './virtual-clock.js';

const vector = (id: string, text = id) => ({ id: `IMAGE#x#${id}`, values: [1, 0], metadata: { text } });

describe('InMemoryEmbeddingSnapshotStore', () => {
  it('logs each merge and patch with its clock time, and a patch that found nothing with 0', async () => {
    const clock = new VirtualClock();
    const snapshots = new InMemoryEmbeddingSnapshotStore({ clock });
    await snapshots.patch('words', [{ idPrefix: 'IMAGE#x#', fields: { merchant_name: 'early' } }]);
    await clock.advance(100);
    await snapshots.merge('words', [vector('a'), vector('b'), vector('a', 'again')]);
    await clock.advance(50);
    await snapshots.patch('words', [
      { idPrefix: 'IMAGE#x#', fields: { merchant_name: 'late' } },
      { idPrefix: 'IMAGE#x#b', fields: { valid_labels_array: ['TAX'] } },
    ]);
    const t0 = Date.UTC(2026, 0, 1);
    expect(snapshots.writes).toEqual([
      {
        at: t0,
        operation: 'patch',
        collection: 'words',
        patches: [{ idPrefix: 'IMAGE#x#', fields: { merchant_name: 'early' }, patched: 0 }],
      },
      { at: t0 + 100, operation: 'merge', collection: 'words', ids: ['IMAGE#x#a', 'IMAGE#x#b'] },
      {
        at: t0 + 150,
        operation: 'patch',
        collection: 'words',
        patches: [
          { idPrefix: 'IMAGE#x#', fields: { merchant_name: 'late' }, patched: 2 },
          { idPrefix: 'IMAGE#x#b', fields: { valid_labels_array: ['TAX'] }, patched: 1 },
        ],
      },
    ]);
    expect(snapshots.peek('words').map((v) => v.metadata)).toEqual([
      { text: 'again', merchant_name: 'late' },
      { text: 'b', merchant_name: 'late', valid_labels_array: ['TAX'] },
    ]);
  });

  it('writes and logs nothing when an injected fault fires, per operation, and works again after it', async () => {
    const snapshots = new InMemoryEmbeddingSnapshotStore();
    snapshots.mergeFaults.failNext(1, 'permanent');
    await expect(snapshots.merge('lines', [vector('a')])).rejects.toBeInstanceOf(InjectedPermanentError);
    expect(snapshots.peek('lines')).toEqual([]);
    await snapshots.merge('lines', [vector('a')]);

    snapshots.patchFaults.failNext(1, 'transient');
    await expect(snapshots.patch('lines', [{ idPrefix: 'IMAGE#', fields: { x: 1 } }])).rejects.toBeInstanceOf(
      TransientStoreError,
    );
    snapshots.listFaults.failNext(1, 'transient');
    await expect(snapshots.list('lines', 'IMAGE#')).rejects.toBeInstanceOf(TransientStoreError);

    expect(await snapshots.list('lines', 'IMAGE#')).toEqual([vector('a')]);
    expect(snapshots.writes.map((write) => write.operation)).toEqual(['merge']);
  });

  it('takes the dimension of its first vector per collection unless given one, and refuses any other', async () => {
    const snapshots = new InMemoryEmbeddingSnapshotStore();
    await snapshots.merge('lines', [vector('a')]);
    await snapshots.merge('words', [{ ...vector('w'), values: [1, 2, 3] }]);
    await expect(snapshots.merge('lines', [{ ...vector('b'), values: [1] }])).rejects.toThrow(
      'lines.vector: IMAGE#x#b has 1 values, the lines snapshot holds vectors of 2',
    );
    const fixed = new InMemoryEmbeddingSnapshotStore({ dimensions: 3 });
    await expect(fixed.merge('lines', [vector('a')])).rejects.toBeInstanceOf(InvalidValueError);
    expect([snapshots.peek('lines').length, fixed.peek('lines').length]).toEqual([1, 0]);
  });

  it('peeks at a whole collection in code-unit order of ids, as copies', async () => {
    const snapshots = new InMemoryEmbeddingSnapshotStore();
    await snapshots.merge('lines', [vector('b'), vector('B'), vector('a')]);
    const peeked = snapshots.peek('lines');
    expect(peeked.map((v) => v.id)).toEqual(['IMAGE#x#B', 'IMAGE#x#a', 'IMAGE#x#b']);
    (peeked[0]?.metadata as Record<string, unknown>).text = 'mutated';
    expect(snapshots.peek('lines')[0]?.metadata.text).toBe('B');
  });
});
