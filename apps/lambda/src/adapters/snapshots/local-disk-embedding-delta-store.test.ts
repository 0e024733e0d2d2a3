import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidValueError } from '@receipt-gate/core';
import { embeddingDeltaStoreContract } from '@receipt-gate/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDiskEmbeddingDeltaStore } from './local-disk-embedding-delta-store.js';

const made: string[] = [];
async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'receipt-gate-deltas-'));
  made.push(directory);
  return directory;
}
afterAll(() => Promise.all(made.map((directory) => rm(directory, { recursive: true, force: true }))));

embeddingDeltaStoreContract({ describe, it, expect }, 'LocalDiskEmbeddingDeltaStore', async () => ({
  deltas: new LocalDiskEmbeddingDeltaStore(await temporaryDirectory()),
}));

const delta = [{ id: 'IMAGE#x#RECEIPT#00001#LINE#00001', values: [0.25], metadata: { text: 'TOTAL' } }];

describe('LocalDiskEmbeddingDeltaStore', () => {
  it('stores the delta under a prefix as delta.json in that folder, with no temp file left', async () => {
    const directory = await temporaryDirectory();
    await new LocalDiskEmbeddingDeltaStore(directory).putDelta('deltas/img/00001/run/lines/', delta);
    const folder = join(directory, 'deltas/img/00001/run/lines');
    expect(await readdir(folder)).toEqual(['delta.json']);
    expect(JSON.parse(await readFile(join(folder, 'delta.json'), 'utf8'))).toEqual(delta);
  });

  it('refuses prefixes that lead outside its directory, or to the directory itself, writing nothing', async () => {
    const parent = await temporaryDirectory();
    const directory = join(parent, 'deltas-root');
    const deltas = new LocalDiskEmbeddingDeltaStore(directory);
    for (const prefix of ['../escape/', '/tmp/escape/', 'a/../../escape/', '..', '', './']) {
      await expect(deltas.putDelta(prefix, delta)).rejects.toBeInstanceOf(InvalidValueError);
      await expect(deltas.getDelta(prefix)).rejects.toThrow(
        `delta_prefix: must name a folder inside the delta directory ${directory}, got ${JSON.stringify(prefix)}`,
      );
    }
    expect(await readdir(parent)).toEqual([]);
  });

  it('accepts a prefix that only looks like an escape but stays inside', async () => {
    const deltas = new LocalDiskEmbeddingDeltaStore(await temporaryDirectory());
    await deltas.putDelta('a/../b/..dots/', delta);
    expect(await deltas.getDelta('b/..dots')).toEqual(delta);
  });
});
