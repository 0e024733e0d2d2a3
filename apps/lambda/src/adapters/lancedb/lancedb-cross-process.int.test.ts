import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { temporaryDirectories } from '../../../test/temporary-directories.js';
import { LanceDbEmbeddingSnapshotStore } from './lancedb-embedding-snapshot-store.js';

const run = promisify(execFile);
const directories = temporaryDirectories('receipt-gate-lancedb-processes-');
afterAll(() => directories.removeAll());

const PATCHES = 16;
const PREFIX = 'IMAGE#3f2504e0-4f89-41d3-9a0c-0305e82c3301#RECEIPT#00001#';
const lambdaDir = join(import.meta.dirname, '../../..');

/** Runs the patch worker in its own Node process (TypeScript through tsx). */
const worker = (uri: string, who: string, kind: 'extra' | 'column' = 'extra') =>
  run(
    process.execPath,
    [
      '--import',
      'tsx',
      join(lambdaDir, 'test/lancedb-patch-worker.ts'),
      uri,
      who,
      String(PATCHES),
      PREFIX,
      kind,
    ],
    {
      cwd: lambdaDir,
      timeout: 120_000,
    },
  );

describe('LanceDbEmbeddingSnapshotStore across processes', () => {
  it('loses no patch when two processes patch the same vectors of one collection at once', {
    timeout: 180_000,
  }, async () => {
    const uri = await directories.make();
    const setup = new LanceDbEmbeddingSnapshotStore({ uri, dimensions: 4 });
    const vector = (line: number) => ({
      id: `${PREFIX}LINE#0000${line}#WORD#00001`,
      values: [line, 0.5, -0.5, 1],
      metadata: { text: `word ${line}` },
    });
    await setup.merge('words', [vector(1), vector(2)]);

    const outputs = await Promise.all([worker(uri, 'a'), worker(uri, 'b')]);
    expect(outputs.map(({ stdout }) => JSON.parse(stdout))).toEqual([
      { who: 'a', patched: 2 * PATCHES },
      { who: 'b', patched: 2 * PATCHES },
    ]);
    const expected = Object.fromEntries(
      ['a', 'b'].flatMap((who) => Array.from({ length: PATCHES }, (_, i) => [`${who}_${i}`, i])),
    );
    const listed = await setup.list('words', PREFIX);
    expect(listed.map((v) => v.metadata)).toEqual([
      { text: 'word 1', ...expected },
      { text: 'word 2', ...expected },
    ]);
    await setup.close();
  });

  it('loses no patch when a conditional merge-insert and a server-side update race on the same vectors', {
    timeout: 180_000,
  }, async () => {
    const uri = await directories.make();
    const setup = new LanceDbEmbeddingSnapshotStore({ uri, dimensions: 4 });
    const vector = (line: number) => ({
      id: `${PREFIX}LINE#0000${line}#WORD#00001`,
      values: [line, 0.5, -0.5, 1],
      metadata: { text: `word ${line}`, label_status: 'unvalidated' },
    });
    await setup.merge('words', [vector(1), vector(2)]);

    await Promise.all([worker(uri, 'a', 'extra'), worker(uri, 'b', 'column')]);
    // Every field the merge-inserts set, and the update's last status: a merge-insert over a row it read before
    // an update would have put an older status back.
    const fields = Object.fromEntries(Array.from({ length: PATCHES }, (_, i) => [`a_${i}`, i]));
    const listed = await setup.list('words', PREFIX);
    expect(listed.map((v) => v.metadata)).toEqual(
      [1, 2].map((line) => ({
        text: `word ${line}`,
        label_status: `b_${PATCHES - 1}`,
        ...fields,
      })),
    );
    await setup.close();
  });
});
