import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiptVectorPrefix, wordVectorId } from '@receipt-gate/core';
import { embeddingSnapshotStoreContract } from '@receipt-gate/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDiskEmbeddingSnapshotStore } from './local-disk-embedding-snapshot-store.js';

const made: string[] = [];
async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'receipt-gate-snapshots-'));
  made.push(directory);
  return directory;
}
afterAll(() => Promise.all(made.map((directory) => rm(directory, { recursive: true, force: true }))));

embeddingSnapshotStoreContract({ describe, it, expect }, 'LocalDiskEmbeddingSnapshotStore', async () => ({
  snapshots: new LocalDiskEmbeddingSnapshotStore(await temporaryDirectory()),
}));

const imageId = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const receipt = { imageId, receiptId: 1 };
const prefix = receiptVectorPrefix(receipt);
const shard = `${imageId}_00001.json`;
const word = (wordId: number, text: string, of = receipt) => ({
  id: wordVectorId({ ...of, lineId: 1, wordId }),
  values: [wordId / 3, -1e-9],
  metadata: { text, word_id: wordId, is_noise: false },
});

describe('LocalDiskEmbeddingSnapshotStore', () => {
  it("keeps each receipt's vectors in its own file of the collection's folder, read back by a new store", async () => {
    const directory = await temporaryDirectory();
    const other = { imageId, receiptId: 10 };
    await new LocalDiskEmbeddingSnapshotStore(directory).merge('words', [
      word(2, 'TAX'),
      word(1, 'TOTAL', other),
      word(1, 'TOTAL'),
    ]);
    expect(await readdir(directory)).toEqual(['words']);
    expect((await readdir(join(directory, 'words'))).sort()).toEqual([shard, `${imageId}_00010.json`]);
    const stored = JSON.parse(await readFile(join(directory, 'words', shard), 'utf8'));
    expect(stored).toEqual([word(1, 'TOTAL'), word(2, 'TAX')]);
    expect(await new LocalDiskEmbeddingSnapshotStore(directory).list('words', prefix)).toEqual(stored);
  });

  it("reads and writes only the receipt's file for a receipt prefix or a word id", async () => {
    const directory = await temporaryDirectory();
    const store = new LocalDiskEmbeddingSnapshotStore(directory);
    const other = { imageId, receiptId: 2 };
    await store.merge('words', [word(1, 'TOTAL'), word(1, 'TAX', other)]);
    // Were the other receipt's file read, these calls would fail on it.
    await writeFile(join(directory, 'words', `${imageId}_00002.json`), 'not JSON');
    expect(await store.patch('words', word(1, '').id, { label_status: 'validated' })).toBe(1);
    expect(await store.patch('words', prefix, { merchant_name: 'Cafe' })).toBe(1);
    expect(await store.list('words', prefix)).toEqual([
      {
        ...word(1, 'TOTAL'),
        metadata: { ...word(1, 'TOTAL').metadata, label_status: 'validated', merchant_name: 'Cafe' },
      },
    ]);
  });

  it('serves a prefix shorter than a receipt, and ids of no receipt, from every file, ordered by id', async () => {
    const directory = await temporaryDirectory();
    const store = new LocalDiskEmbeddingSnapshotStore(directory);
    const receipts = [1, 2, 10, 100].map((receiptId) => ({ imageId, receiptId }));
    const elsewhere = { imageId: '9b2c1d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e', receiptId: 1 };
    const odd = { id: 'not-a-data-model-id', values: [1], metadata: { text: 'odd' } };
    await store.merge('words', [
      ...[...receipts].reverse().map((of) => word(1, 'w', of)),
      word(1, 'w', elsewhere),
      odd,
    ]);

    // `RECEIPT#000` is no receipt's prefix: receipts 1, 2 and 10 have it, 100 and the other image do not.
    const short = `IMAGE#${imageId}#RECEIPT#000`;
    expect(await store.patch('words', short, { seen: true })).toBe(3);
    const listed = await store.list('words', short);
    expect(listed.map((vector) => vector.id)).toEqual(
      [1, 2, 10].map((receiptId) => word(1, '', { imageId, receiptId }).id),
    );
    expect(listed.every((vector) => vector.metadata.seen === true)).toBe(true);
    expect((await store.list('words', '')).map((vector) => vector.id)).toEqual(
      [...receipts.map((of) => word(1, '', of).id), word(1, '', elsewhere).id, odd.id].sort(),
    );
    expect(await store.patch('words', 'not-a', { seen: true })).toBe(1);
    expect(await store.list('words', 'not-a')).toEqual([{ ...odd, metadata: { text: 'odd', seen: true } }]);
  });

  it('lands every concurrent merge and patch, from two stores on one directory too, leaving no temp file', async () => {
    const directory = await temporaryDirectory();
    const [a, b] = [
      new LocalDiskEmbeddingSnapshotStore(directory),
      new LocalDiskEmbeddingSnapshotStore(directory),
    ];
    await a.merge('words', [word(0, 'base')]);
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 2 === 0
          ? (i % 4 === 0 ? a : b).merge('words', [word(i + 1, `w${i}`)])
          : (i % 3 === 0 ? a : b).patch('words', word(0, '').id, { [`patch_${i}`]: i }),
      ),
    );
    const listed = await a.list('words', prefix);
    expect(listed).toHaveLength(13);
    expect(Object.keys(listed[0]?.metadata ?? {}).filter((key) => key.startsWith('patch_'))).toHaveLength(12);
    expect(await readdir(join(directory, 'words'))).toEqual([shard]);
  });

  it('still reads the last version of a file after a crash between temp write and rename, and writes over it', async () => {
    const directory = await temporaryDirectory();
    const store = new LocalDiskEmbeddingSnapshotStore(directory);
    await store.merge('lines', [word(1, 'kept')]);
    // What a crash leaves: a half-written temp file next to the receipt's file, never renamed.
    const stray = join(directory, 'lines', `.${shard}.4242.0b7e1c9a.tmp`);
    await writeFile(stray, '[\n{"id": "IMAGE#half');

    const restarted = new LocalDiskEmbeddingSnapshotStore(directory);
    expect(await restarted.list('lines', prefix)).toEqual([word(1, 'kept')]);
    // A scan of every file skips the temp file too.
    expect(await restarted.list('lines', 'IMAGE#')).toEqual([word(1, 'kept')]);
    await restarted.merge('lines', [word(2, 'after')]);
    expect(await restarted.list('lines', prefix)).toEqual([word(1, 'kept'), word(2, 'after')]);
  });

  it('writes nothing for a merge of no vectors or a patch that matched none', async () => {
    const directory = await temporaryDirectory();
    const store = new LocalDiskEmbeddingSnapshotStore(directory);
    expect(await store.merge('lines', [])).toBe(0);
    expect(await store.patch('lines', prefix, { merchant_name: 'x' })).toBe(0);
    expect(await store.patch('lines', 'IMAGE#', { merchant_name: 'x' })).toBe(0);
    expect(await readdir(directory)).toEqual([]);
  });

  it('refuses a file that is not a list of vectors, naming the file', async () => {
    const directory = await temporaryDirectory();
    const store = new LocalDiskEmbeddingSnapshotStore(directory);
    await store.merge('words', [word(1, 'TOTAL')]);
    await writeFile(join(directory, 'words', shard), '{"vectors": []}');
    await expect(store.list('words', prefix)).rejects.toThrow(
      `${join(directory, 'words', shard)} does not hold a list of embedding vectors`,
    );
  });
});
