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

const receipt = { imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', receiptId: 1 };
const prefix = receiptVectorPrefix(receipt);
const word = (wordId: number, text: string) => ({
  id: wordVectorId({ ...receipt, lineId: 1, wordId }),
  values: [wordId / 3, -1e-9],
  metadata: { text, word_id: wordId, is_noise: false },
});

describe('LocalDiskEmbeddingSnapshotStore', () => {
  it('keeps each collection in its own JSON file, read back by a new store on the same directory', async () => {
    const directory = await temporaryDirectory();
    await new LocalDiskEmbeddingSnapshotStore(directory).merge('words', [word(2, 'TAX'), word(1, 'TOTAL')]);
    expect(await readdir(directory)).toEqual(['words.json']);
    const stored = JSON.parse(await readFile(join(directory, 'words.json'), 'utf8'));
    expect(stored).toEqual([word(1, 'TOTAL'), word(2, 'TAX')]);
    expect(await new LocalDiskEmbeddingSnapshotStore(directory).list('words', prefix)).toEqual(stored);
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
    expect(await readdir(directory)).toEqual(['words.json']);
  });

  it('still reads the last snapshot after a crash between temp write and rename, and writes over it', async () => {
    const directory = await temporaryDirectory();
    const store = new LocalDiskEmbeddingSnapshotStore(directory);
    await store.merge('lines', [word(1, 'kept')]);
    // What a crash leaves: a half-written temp file next to the snapshot, never renamed.
    const stray = join(directory, '.lines.json.4242.0b7e1c9a.tmp');
    await writeFile(stray, '[\n{"id": "IMAGE#half');

    const restarted = new LocalDiskEmbeddingSnapshotStore(directory);
    expect(await restarted.list('lines', prefix)).toEqual([word(1, 'kept')]);
    await restarted.merge('lines', [word(2, 'after')]);
    expect(await restarted.list('lines', prefix)).toEqual([word(1, 'kept'), word(2, 'after')]);
  });

  it('writes nothing for a merge of no vectors or a patch that matched none', async () => {
    const directory = await temporaryDirectory();
    const store = new LocalDiskEmbeddingSnapshotStore(directory);
    expect(await store.merge('lines', [])).toBe(0);
    expect(await store.patch('lines', prefix, { merchant_name: 'x' })).toBe(0);
    expect(await readdir(directory)).toEqual([]);
  });

  it('refuses a snapshot file that is not a list of vectors, naming the file', async () => {
    const directory = await temporaryDirectory();
    await writeFile(join(directory, 'words.json'), '{"vectors": []}');
    await expect(new LocalDiskEmbeddingSnapshotStore(directory).list('words', prefix)).rejects.toThrow(
      `${join(directory, 'words.json')} does not hold a list of embedding vectors`,
    );
  });
});
