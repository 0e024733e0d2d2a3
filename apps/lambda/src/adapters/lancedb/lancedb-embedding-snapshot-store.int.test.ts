import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from '@lancedb/lancedb';
import { InvalidValueError } from '@receipt-gate/core';
import { embeddingSnapshotStoreContract, RecordingTelemetry } from '@receipt-gate/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectories } from '../../../test/temporary-directories.js';
import {
  LanceDbEmbeddingSnapshotStore,
  type LanceDbEmbeddingSnapshotStoreOptions,
} from './lancedb-embedding-snapshot-store.js';

const directories = temporaryDirectories('receipt-gate-lancedb-');
const opened: LanceDbEmbeddingSnapshotStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await directories.removeAll();
});

async function store(options: Partial<LanceDbEmbeddingSnapshotStoreOptions> = {}) {
  const made = new LanceDbEmbeddingSnapshotStore({
    uri: await directories.make(),
    dimensions: 8,
    ...options,
  });
  opened.push(made);
  return made;
}

embeddingSnapshotStoreContract({ describe, it, expect }, 'LanceDbEmbeddingSnapshotStore', async () => ({
  snapshots: await store(),
  dimensions: 8,
}));

const vector = (id: string, text = id, values = [0.25, 0.5, 0.75, 1, 0, -1, 2, 3]) => ({
  id: `IMAGE#x#${id}`,
  values,
  metadata: { text, merchant_name: 'Cafe', label_status: 'unvalidated', valid_labels_array: [] as string[] },
});

describe('LanceDbEmbeddingSnapshotStore', () => {
  it('keeps one table per collection under its directory, readable by a store opened later', async () => {
    const first = await store();
    await first.merge('lines', [vector('a')]);
    await first.merge('words', [vector('b')]);
    expect((await readdir(first.uri)).filter((name) => name.endsWith('.lance')).sort()).toEqual([
      'lines.lance',
      'words.lance',
    ]);
    const later = await store({ uri: first.uri });
    expect(await later.list('words', 'IMAGE#x#')).toEqual([vector('b')]);
  });

  it('refuses to open a table whose dimension differs from the configured one', async () => {
    const first = await store();
    await first.merge('lines', [vector('a')]);
    const wider = await store({ uri: first.uri, dimensions: 16 });
    await expect(wider.list('lines', 'IMAGE#')).rejects.toBeInstanceOf(InvalidValueError);
    await expect(wider.merge('lines', [vector('b', 'b', Array(16).fill(0.5))])).rejects.toThrow(
      `dimensions: the lines table under ${first.uri} holds vectors of 8, the configuration says 16`,
    );
  });

  it('refuses a vector with a value that is not finite, as no float32 can hold it', async () => {
    const snapshots = await store();
    const broken = vector('a', 'a', [0, 0, 0, 0, 0, 0, 0, Number.NaN]);
    await expect(snapshots.merge('lines', [broken])).rejects.toBeInstanceOf(InvalidValueError);
    expect(await snapshots.list('lines', 'IMAGE#')).toEqual([]);
  });

  it('makes one table version per write, a batch of patches included, and no write for a patch that finds nothing', async () => {
    const snapshots = await store({ optimizeEvery: 0 });
    await snapshots.merge('words', [vector('a'), vector('b')]);
    const before = await snapshots.versions('words');
    const counts = await snapshots.patch('words', [
      { idPrefix: 'IMAGE#x#a', fields: { label_status: 'validated', valid_labels_array: ['TAX'] } },
      { idPrefix: 'IMAGE#x#', fields: { merchant_name: 'Corner Cafe' } },
    ]);
    expect(counts).toEqual([1, 2]);
    expect(await snapshots.versions('words')).toBe(before + 1);
    expect(await snapshots.patch('words', [{ idPrefix: 'IMAGE#y#', fields: { x: 1 } }])).toEqual([0]);
    expect(await snapshots.versions('words')).toBe(before + 1);
  });

  it('compacts a table every N writes and on demand, pruning old versions and keeping every vector', async () => {
    const telemetry = new RecordingTelemetry();
    const snapshots = await store({ optimizeEvery: 5, telemetry });
    for (let i = 0; i < 5; i++) await snapshots.merge('words', [vector(`v${i}`)]);
    expect(telemetry.metricTotal('SnapshotOptimizations')).toBe(1);
    for (let i = 5; i < 9; i++) await snapshots.merge('words', [vector(`v${i}`)]);
    const [, words] = await snapshots.optimize({ keepVersionsMs: 0 });
    expect(words?.versionsBefore).toBeGreaterThan(4);
    // The compacted version, and the id index's update, which `optimize` commits after pruning.
    expect(words).toMatchObject({ collection: 'words', versionsAfter: 2 });
    expect(await snapshots.versions('words')).toBe(2);
    expect((await snapshots.list('words', 'IMAGE#x#')).map((v) => v.metadata.text)).toEqual(
      Array.from({ length: 9 }, (_, i) => `v${i}`),
    );
  });

  it('indexes the id column once, whichever store opens the table first, and keeps new rows in it', async () => {
    const uri = await directories.make();
    const [first, second] = [1, 2].map(() => {
      const made = new LanceDbEmbeddingSnapshotStore({ uri, dimensions: 8 });
      opened.push(made);
      return made;
    });
    await Promise.all([first?.merge('words', [vector('a')]), second?.merge('words', [vector('b')])]);
    await first?.optimize();
    const connection = await connect(uri);
    try {
      const table = await connection.openTable('words');
      const indices = await table.listIndices();
      expect(indices.map(({ columns, indexType }) => ({ columns, indexType }))).toEqual([
        { columns: ['id'], indexType: 'BTree' },
      ]);
      expect(await table.indexStats(indices[0]?.name ?? '')).toMatchObject({
        numIndexedRows: 2,
        numUnindexedRows: 0,
      });
      table.close();
    } finally {
      connection.close();
    }
  });

  it('stores the receipt fields in typed columns and anything else beside them, and reads both back', async () => {
    const snapshots = await store();
    const odd = {
      id: 'IMAGE#x#odd',
      values: vector('odd').values,
      // `text` of another type than its column's, and fields without a column.
      metadata: { text: 42, receipt_id: 3, valid_labels_array: ['TAX'], note: 'kept', tags: ['a'] },
    };
    await snapshots.merge('lines', [odd]);
    expect(await snapshots.list('lines', 'IMAGE#x#')).toEqual([odd]);
    const dir = join(snapshots.uri, 'lines.lance');
    expect((await readdir(dir)).includes('_versions')).toBe(true);
  });
});
