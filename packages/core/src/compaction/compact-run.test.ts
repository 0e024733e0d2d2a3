import { describe, expect, it } from 'vitest';
import { type CompactionRunKey, newCompactionRun } from '../domain/compaction-run.js';
import { toTimestamp } from '../domain/timestamps.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import type { CompactionRunRepository } from '../ports/compaction-run-repository.js';
import type { EmbeddingSnapshotStore } from '../ports/embedding-store.js';
import { sampleLabel, sampleMetadata } from '../testing/contracts/contract-fixtures.js';
import { compactRun } from './compact-run.js';
import { compactionWorld, NEIGHBOUR, RECEIPT, RUN_ID } from './compaction-world.test-support.js';
import { labelVectorFields } from './label-vector-fields.js';
import { metadataVectorFields } from './metadata-vector-fields.js';
import { deltaPrefixes, receiptVectorPrefix, wordVectorId } from './vector-ids.js';

function setup() {
  const world = compactionWorld();
  const compact = (
    key: CompactionRunKey,
    runs: CompactionRunRepository = world.runs,
    mergeDelayMs = 0,
    snapshots: EmbeddingSnapshotStore = world.snapshots,
  ) => world.clock.run(compactRun({ ...world, runs, snapshots, mergeDelayMs }, key));
  return { ...world, compact };
}

describe('compactRun', () => {
  it('merges both deltas concurrently and marks each collection COMPLETED with its count', async () => {
    const { clock, runs, deltas, snapshots, upload, compact } = setup();
    const key = await upload();
    const t0 = clock.now();
    const result = await compact(key, runs, 1_000);
    expect(result).toEqual({
      lines: { outcome: 'completed', mergedVectors: 2 },
      words: { outcome: 'completed', mergedVectors: 3 },
      retry: false,
    });
    // Both waited the merge delay at once: 1 s in all, not 2.
    expect(runs.peek(key)).toMatchObject({
      linesState: 'COMPLETED',
      wordsState: 'COMPLETED',
      linesMergedVectors: 2,
      wordsMergedVectors: 3,
      linesStartedAt: toTimestamp(t0),
      wordsStartedAt: toTimestamp(t0),
      linesFinishedAt: toTimestamp(t0 + 1_000),
      wordsFinishedAt: toTimestamp(t0 + 1_000),
    });
    const prefixes = deltaPrefixes(key);
    expect(snapshots.peek('lines')).toEqual(await deltas.getDelta(prefixes.linesDeltaPrefix));
    expect(snapshots.peek('words')).toEqual(await deltas.getDelta(prefixes.wordsDeltaPrefix));
  });

  it('does nothing when the same INSERT is delivered again', async () => {
    const { runs, snapshots, upload, compact } = setup();
    const key = await upload();
    await compact(key);
    const [run, writes, words] = [runs.peek(key), snapshots.writes.length, snapshots.peek('words')];
    expect(await compact(key)).toEqual({
      lines: { outcome: 'already_completed' },
      words: { outcome: 'already_completed' },
      retry: false,
    });
    expect(runs.peek(key)).toEqual(run);
    expect(snapshots.writes).toHaveLength(writes);
    expect(snapshots.peek('words')).toEqual(words);
  });

  it('never merges into nor overwrites a collection that is already COMPLETED', async () => {
    const { runs, snapshots, upload, compact } = setup();
    const key = await upload();
    await runs.transitionCollection(key, 'lines', { to: 'PROCESSING', at: '2026-01-01T00:00:00Z' });
    await runs.transitionCollection(key, 'lines', {
      to: 'COMPLETED',
      at: '2026-01-01T00:00:01Z',
      mergedVectors: 9,
    });
    const result = await compact(key);
    expect(result.lines).toEqual({ outcome: 'already_completed' });
    expect(result.words).toEqual({ outcome: 'completed', mergedVectors: 3 });
    expect(runs.peek(key)).toMatchObject({
      linesState: 'COMPLETED',
      linesMergedVectors: 9,
      wordsState: 'COMPLETED',
    });
    expect(snapshots.writes.map((write) => write.collection)).toEqual(['words']);
  });

  it('marks a collection without a delta FAILED with a clear error, and completes the other', async () => {
    const { runs, deltas, compact } = setup();
    const key = { ...RECEIPT, runId: RUN_ID };
    const prefixes = deltaPrefixes(key);
    await deltas.putDelta(prefixes.wordsDeltaPrefix, []);
    await runs.createCompactionRun(
      newCompactionRun({ ...key, ...prefixes, createdAt: '2026-01-01T00:00:00Z' }),
    );
    const error = `no lines delta under "${prefixes.linesDeltaPrefix}"`;
    expect(await compact(key)).toEqual({
      lines: { outcome: 'failed', error },
      words: { outcome: 'completed', mergedVectors: 0 },
      retry: false,
    });
    expect(runs.peek(key)).toMatchObject({
      linesState: 'FAILED',
      linesError: error,
      wordsState: 'COMPLETED',
    });
  });

  it('marks a collection FAILED on a permanent merge error, final for the record, and a re-drive completes it', async () => {
    const { runs, snapshots, upload, compact } = setup();
    const key = await upload();
    snapshots.mergeFaults.failNext(1, 'permanent');
    const first = await compact(key);
    const outcomes = [first.lines.outcome, first.words.outcome].sort();
    expect(outcomes).toEqual(['completed', 'failed']);
    const failed = first.lines.outcome === 'failed' ? 'lines' : 'words';
    expect(first[failed]).toEqual({ outcome: 'failed', error: 'injected permanent fault in merge' });
    expect(first.retry).toBe(false);
    expect(runs.peek(key)?.[`${failed}Error`]).toBe('injected permanent fault in merge');

    const second = await compact(key);
    expect(second[failed]).toMatchObject({ outcome: 'completed' });
    expect(second.retry).toBe(false);
    expect(runs.peek(key)).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
    expect(runs.peek(key)?.[`${failed}Error`]).toBeUndefined();
  });

  it('leaves a collection PROCESSING on a transient error, for a redelivery to finish', async () => {
    const { runs, deltas, upload, compact } = setup();
    const key = await upload();
    deltas.readFaults.failNext(2, 'transient');
    const first = await compact(key);
    expect(first).toEqual({
      lines: { outcome: 'retry', error: 'injected transient fault in getDelta' },
      words: { outcome: 'retry', error: 'injected transient fault in getDelta' },
      retry: true,
    });
    expect(runs.peek(key)).toMatchObject({ linesState: 'PROCESSING', wordsState: 'PROCESSING' });
    expect((await compact(key)).retry).toBe(false);
    expect(runs.peek(key)).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
  });

  it('builds every vector from the labels and merchant record in the table at merge time, not the upload', async () => {
    const { labels, merchantRecords, snapshots, upload, compact } = setup();
    const key = await upload();
    // Changes made before the merge (their stream records found no vector and were acknowledged).
    const tax = sampleLabel(RECEIPT, 1, 2, 'TAX', { validationStatus: 'VALID' });
    labels.put(tax);
    const renamed = { ...sampleMetadata(RECEIPT), merchantName: 'Renamed', merchantCategory: 'bakery' };
    merchantRecords.put(renamed);
    await compact(key);
    const merchant = metadataVectorFields(renamed);
    for (const vector of [...snapshots.peek('lines'), ...snapshots.peek('words')]) {
      expect(vector.metadata).toMatchObject(merchant);
    }
    for (const vector of snapshots.peek('words')) {
      const own = vector.id === wordVectorId(tax) ? [tax] : [];
      expect(vector.metadata).toMatchObject(labelVectorFields(own));
    }
  });

  it('sets a change committed between its read of the table and its write before marking COMPLETED', async () => {
    const { runs, labels, snapshots, upload, compact } = setup();
    const key = await upload();
    const late = sampleLabel(RECEIPT, 2, 1, 'GRAND_TOTAL', { validationStatus: 'PENDING' });
    // The label lands while the merge is being written: its own record may find no vector yet.
    const racing: EmbeddingSnapshotStore = {
      merge: async (collection, vectors) => {
        labels.put(late);
        return snapshots.merge(collection, vectors);
      },
      patch: (collection, patches) => snapshots.patch(collection, patches),
      refresh: (collection, prefix, fieldsOf) => snapshots.refresh(collection, prefix, fieldsOf),
      list: (collection, prefix) => snapshots.list(collection, prefix),
      remove: (collection, ids) => snapshots.remove(collection, ids),
    };
    await compact(key, runs, 0, racing);
    expect(runs.peek(key)).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
    expect(
      snapshots.peek('words').find((vector) => vector.id === wordVectorId(late))?.metadata,
    ).toMatchObject(labelVectorFields([late]));
    expect(snapshots.writes.map((write) => write.operation)).toEqual(['merge', 'merge', 'refresh']);
  });

  it('leaves the collections PROCESSING when the table cannot be read, for a redelivery to finish', async () => {
    const { runs, upload, compact, clock, labels, merchantRecords, deltas, snapshots } = setup();
    const key = await upload();
    const failing = {
      getLabels: async () => {
        throw new Error('table unreachable');
      },
    };
    const result = await clock.run(
      compactRun({ runs, deltas, snapshots, clock, merchantRecords, labels: failing }, key),
    );
    expect(result).toEqual({
      lines: { outcome: 'retry', error: 'table unreachable' },
      words: { outcome: 'retry', error: 'table unreachable' },
      retry: true,
    });
    expect(snapshots.writes).toEqual([]);
    expect(runs.peek(key)).toMatchObject({ linesState: 'PROCESSING', wordsState: 'PROCESSING' });
    expect((await compact(key)).retry).toBe(false);
    expect(labels.writes).toEqual([]);
  });

  it('leaves the merged collections PROCESSING when the table cannot be read again after the merge', async () => {
    const { runs, upload, compact, clock, labels, merchantRecords, deltas, snapshots } = setup();
    const key = await upload();
    let reads = 0;
    const failingLater = {
      getLabels: async (receipt: Parameters<typeof labels.getLabels>[0]) => {
        reads += 1;
        if (reads > 1) throw new Error('table unreachable');
        return labels.getLabels(receipt);
      },
    };
    const result = await clock.run(
      compactRun({ runs, deltas, snapshots, clock, merchantRecords, labels: failingLater }, key),
    );
    expect(result).toEqual({
      lines: { outcome: 'retry', error: 'table unreachable' },
      words: { outcome: 'retry', error: 'table unreachable' },
      retry: true,
    });
    expect(runs.peek(key)).toMatchObject({ linesState: 'PROCESSING', wordsState: 'PROCESSING' });
    expect((await compact(key)).retry).toBe(false);
    expect(runs.peek(key)).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
  });

  it('carries on after an attempt that crashed before COMPLETED, from the state as it is then', async () => {
    const { runs, labels, merchantRecords, snapshots, upload, compact } = setup();
    const key = await upload();
    const crashing: CompactionRunRepository = {
      getCompactionRun: (k) => runs.getCompactionRun(k),
      createCompactionRun: (run) => runs.createCompactionRun(run),
      transitionCollection: async (k, collection, transition) => {
        if (transition.to === 'COMPLETED') throw new TransientStoreError('lambda timed out');
        return runs.transitionCollection(k, collection, transition);
      },
    };
    await expect(compact(key, crashing)).rejects.toThrow('lambda timed out');
    expect(runs.peek(key)).toMatchObject({ linesState: 'PROCESSING', wordsState: 'PROCESSING' });

    // The table changes before the redelivery.
    const label = sampleLabel(RECEIPT, 1, 2, 'TAX', { validationStatus: 'VALID' });
    labels.put(label);
    merchantRecords.put({ ...sampleMetadata(RECEIPT), merchantName: 'Renamed' });

    expect(await compact(key)).toMatchObject({
      lines: { outcome: 'completed' },
      words: { outcome: 'completed' },
    });
    expect(snapshots.peek('words')[1]?.metadata).toMatchObject({
      merchant_name: 'Renamed',
      label_status: 'validated',
      valid_labels_array: ['TAX'],
    });
    expect(snapshots.peek('lines').every((vector) => vector.metadata.merchant_name === 'Renamed')).toBe(true);
  });

  it('settles both collections when the same INSERT is delivered twice at once', async () => {
    const { clock, runs, snapshots, deltas, labels, merchantRecords, upload } = setup();
    const key = await upload();
    const deps = { runs, snapshots, deltas, clock, labels, merchantRecords, mergeDelayMs: 500 };
    const [a, b] = await clock.run(Promise.all([compactRun(deps, key), compactRun(deps, key)]));
    expect([a?.lines.outcome, b?.lines.outcome].sort()).toEqual(['already_completed', 'completed']);
    expect([a?.retry, b?.retry]).toEqual([false, false]);
    expect(runs.peek(key)).toMatchObject({ linesMergedVectors: 2, wordsMergedVectors: 3 });
    expect(snapshots.peek('words')).toHaveLength(3);
  });

  it('refuses a delta that holds a vector of another receipt, merging none of it', async () => {
    const { runs, deltas, snapshots, upload, compact } = setup();
    const key = await upload();
    const prefixes = deltaPrefixes(key);
    const [own] = (await deltas.getDelta(prefixes.wordsDeltaPrefix)) ?? [];
    const foreignId = `${receiptVectorPrefix(NEIGHBOUR)}LINE#00001#WORD#00001`;
    await deltas.putDelta(prefixes.wordsDeltaPrefix, [
      ...(own ? [own] : []),
      { id: foreignId, values: [1], metadata: {} },
    ]);
    const result = await compact(key);
    expect(result.words).toEqual({
      outcome: 'failed',
      error: `the words delta under "${prefixes.wordsDeltaPrefix}" holds "${foreignId}", not a vector of ${receiptVectorPrefix(RECEIPT)}`,
    });
    expect(snapshots.peek('words')).toEqual([]);
    expect(runs.peek(key)?.wordsState).toBe('FAILED');
  });

  it('reports a run that does not exist without writing anything', async () => {
    const { snapshots, compact } = setup();
    expect(await compact({ ...RECEIPT, runId: RUN_ID })).toEqual({
      lines: { outcome: 'run_missing' },
      words: { outcome: 'run_missing' },
      retry: false,
    });
    expect(snapshots.writes).toEqual([]);
  });

  it('reports a retry, not `completed`, when the COMPLETED transition is refused because another attempt failed the collection meanwhile', async () => {
    const { clock, runs, upload, compact } = setup();
    const key = await upload();
    // While this attempt merges (500 ms), another marks words FAILED.
    void clock.sleep(100).then(() =>
      runs.transitionCollection(key, 'words', {
        to: 'FAILED',
        at: toTimestamp(clock.now()),
        error: 'other attempt',
      }),
    );
    const result = await compact(key, runs, 500);
    expect(result).toEqual({
      lines: { outcome: 'completed', mergedVectors: 2 },
      words: { outcome: 'retry', error: 'could not mark COMPLETED: the collection is FAILED' },
      retry: true,
    });
    expect(runs.peek(key)).toMatchObject({ linesState: 'COMPLETED', wordsState: 'FAILED' });
  });

  it('reports `run_missing` when the run disappears before the COMPLETED transition, and `already_completed` when another attempt won', async () => {
    const { runs, upload, compact } = setup();
    const key = await upload();
    const refusing = (current: 'COMPLETED' | undefined): CompactionRunRepository => ({
      getCompactionRun: (k) => runs.getCompactionRun(k),
      createCompactionRun: (run) => runs.createCompactionRun(run),
      transitionCollection: async (k, collection, transition) =>
        transition.to === 'COMPLETED'
          ? { applied: false, current }
          : runs.transitionCollection(k, collection, transition),
    });
    expect(await compact(key, refusing(undefined))).toMatchObject({
      lines: { outcome: 'run_missing' },
      words: { outcome: 'run_missing' },
      retry: false,
    });
    expect(await compact(key, refusing('COMPLETED'))).toMatchObject({
      lines: { outcome: 'already_completed' },
      words: { outcome: 'already_completed' },
      retry: false,
    });
  });

  it('reports `run_missing`, merging nothing, when the run disappears before the PROCESSING transition', async () => {
    const { runs, snapshots, upload, compact } = setup();
    const key = await upload();
    const vanished: CompactionRunRepository = {
      getCompactionRun: (k) => runs.getCompactionRun(k),
      createCompactionRun: (run) => runs.createCompactionRun(run),
      transitionCollection: async () => ({ applied: false, current: undefined }),
    };
    expect(await compact(key, vanished)).toEqual({
      lines: { outcome: 'run_missing' },
      words: { outcome: 'run_missing' },
      retry: false,
    });
    expect(snapshots.writes).toEqual([]);
  });

  it('reports what became of a collection whose FAILED transition is refused: gone, or completed by another attempt', async () => {
    const { runs, deltas, compact } = setup();
    const key = { ...RECEIPT, runId: RUN_ID };
    const prefixes = deltaPrefixes(key);
    await deltas.putDelta(prefixes.wordsDeltaPrefix, []);
    await runs.createCompactionRun(
      newCompactionRun({ ...key, ...prefixes, createdAt: '2026-01-01T00:00:00Z' }),
    );
    const refusingFailed = (current: 'COMPLETED' | 'PENDING' | undefined): CompactionRunRepository => ({
      getCompactionRun: (k) => runs.getCompactionRun(k),
      createCompactionRun: (run) => runs.createCompactionRun(run),
      transitionCollection: async (k, collection, transition) =>
        transition.to === 'FAILED'
          ? { applied: false, current }
          : transition.to === 'PROCESSING'
            ? { applied: true, run: runs.peek(k) as NonNullable<ReturnType<typeof runs.peek>> }
            : runs.transitionCollection(k, collection, transition),
    });
    expect((await compact(key, refusingFailed(undefined))).lines).toEqual({ outcome: 'run_missing' });
    expect((await compact(key, refusingFailed('COMPLETED'))).lines).toEqual({ outcome: 'already_completed' });
    expect((await compact(key, refusingFailed('PENDING'))).lines).toMatchObject({ outcome: 'failed' });
  });

  it('merges over a vector already in the snapshot without the fields a patch sets, taking them from the delta', async () => {
    const { runs, deltas, snapshots, upload, compact } = setup();
    const key = await upload();
    const [first] = (await deltas.getDelta(deltaPrefixes(key).wordsDeltaPrefix)) ?? [];
    if (!first) throw new Error('the upload wrote no word vector');
    await snapshots.merge('words', [{ id: first.id, values: first.values, metadata: { text: 'stale' } }]);
    await compact(key, runs);
    const merged = snapshots.peek('words').find((vector) => vector.id === first.id);
    expect(merged?.metadata).toEqual(first.metadata);
  });
});
