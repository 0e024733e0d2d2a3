import { describe, expect, it } from 'vitest';
import { TransientStoreError } from '../errors/transient-store-error.js';
import type { EmbeddingSnapshotStore } from '../ports/embedding-store.js';
import { sampleLabel, sampleMetadata } from '../testing/contracts/contract-fixtures.js';
import { RecordingTelemetry } from '../testing/recording-telemetry.js';
import { type CompactionRecord, CompactionRetryError, compactBatch } from './compaction-batch.js';
import {
  compactionWorld,
  NEIGHBOUR,
  OTHER_IMAGE_ID,
  RECEIPT,
  WORDS,
} from './compaction-world.test-support.js';
import { labelVectorFields } from './label-vector-fields.js';
import { deltaPrefixes, wordVectorId } from './vector-ids.js';

function setup() {
  const world = compactionWorld();
  const telemetry = new RecordingTelemetry();
  const deadLetters: [number, string][] = [];
  const dispatched: string[] = [];
  const deps = {
    ...world,
    telemetry,
    deadLetter: async (index: number, reason: string) => void deadLetters.push([index, reason]),
    dispatchSettled: async (run: { runId: string }) => void dispatched.push(run.runId),
  };
  return { ...world, telemetry, deadLetters, dispatched, deps };
}

const labels = (receipt = RECEIPT): CompactionRecord => ({
  partitionKey: receipt.imageId,
  receipt,
  change: { kind: 'labels' },
});

describe('compactBatch', () => {
  it('acknowledges changes for a receipt without vectors, counting them, and the merge then carries them', async () => {
    const { deps, labels: table, snapshots, telemetry, upload } = setup();
    const key = await upload();
    const label = sampleLabel(RECEIPT, 1, 1, 'TAX', { validationStatus: 'VALID' });
    table.put(label);
    const early = await compactBatch(deps, [
      labels(),
      labels(),
      { partitionKey: RECEIPT.imageId, receipt: RECEIPT, change: { kind: 'merchant' } },
    ]);
    expect(early).toEqual({ failures: [], deadLettered: [], deferred: [0, 1, 2] });
    expect(telemetry.eventsOf('compaction.changes_deferred')).toMatchObject([
      { receipt: RECEIPT, change: 'labels', records: 2, collections: ['words'] },
      { receipt: RECEIPT, change: 'metadata', records: 1, collections: ['lines', 'words'] },
    ]);
    expect(telemetry.metricTotal('CompactionChangesDeferred')).toBe(3);
    await compactBatch(deps, [
      { partitionKey: RECEIPT.imageId, receipt: RECEIPT, change: { kind: 'run', run: key } },
    ]);
    const vector = snapshots.peek('words').find((candidate) => candidate.id === wordVectorId(label));
    expect(vector?.metadata).toMatchObject(labelVectorFields([label]));
  });

  it('coalesces a receipt: one merge per run, no refresh of what the merge wrote, one refresh per part otherwise', async () => {
    const { deps, snapshots, upload } = setup();
    const key = await upload();
    const run: CompactionRecord = {
      partitionKey: RECEIPT.imageId,
      receipt: RECEIPT,
      change: { kind: 'run', run: key },
    };
    await compactBatch(deps, [run, labels(), run, labels()]);
    expect(snapshots.writes.map(({ operation }) => operation)).toEqual(['merge', 'merge']);
    await compactBatch(deps, [labels(), labels(), labels()]);
    expect(snapshots.writes.map(({ operation }) => operation)).toEqual(['merge', 'merge']);
  });

  it('dead-letters a poison record and applies the rest; a failed dead-letter write retries it and what follows', async () => {
    const { deps, deadLetters } = setup();
    const records: CompactionRecord[] = [
      labels(),
      { partitionKey: RECEIPT.imageId, deadLetter: 'unreadable key' },
      labels(),
    ];
    expect(await compactBatch(deps, records)).toMatchObject({ failures: [], deadLettered: [1] });
    expect(deadLetters).toEqual([[1, 'unreadable key']]);
    const failing = {
      ...deps,
      deadLetter: async () => {
        throw new Error('queue unreachable');
      },
    };
    const result = await compactBatch(failing, records);
    expect(result.failures.map(({ index, cause }) => [index, cause])).toEqual([
      [1, 'failed'],
      [2, 'after_failure'],
    ]);
  });

  it('reports a transient failure of one receipt with every later record of its key, and applies other keys', async () => {
    const { deps, snapshots, upload } = setup();
    const mine = await upload();
    const neighbour = await upload(
      NEIGHBOUR,
      sampleMetadata(NEIGHBOUR),
      '16fd2706-8baf-433b-82eb-8c7fada847da',
    );
    const other = { imageId: '9b2e8c4d-1a3f-4e5b-8c7d-6e5f4a3b2c1d', receiptId: 1 };
    snapshots.mergeFaults.failNext(2, 'transient');
    const result = await compactBatch(deps, [
      { partitionKey: 'img', receipt: RECEIPT, change: { kind: 'run', run: mine } },
      { partitionKey: 'other', receipt: other, change: { kind: 'labels' } },
      { partitionKey: 'img', receipt: NEIGHBOUR, change: { kind: 'run', run: neighbour } },
    ]);
    expect(result.failures.map(({ index, cause }) => [index, cause])).toEqual([
      [0, 'failed'],
      [2, 'after_failure'],
    ]);
    expect(result.failures[0]?.error).toBeInstanceOf(Error);
    expect(result.deferred).toEqual([1]);
    expect(deps.runs.peek(neighbour)).toMatchObject({ linesState: 'PENDING', wordsState: 'PENDING' });
    expect(String(result.failures[0]?.error)).toContain('injected transient fault in merge');
    expect(result.failures[0]?.error).not.toBeInstanceOf(TransientStoreError);
  });

  it('hands each settled run to the validation once per segment', async () => {
    const { deps, dispatched, upload } = setup();
    const key = await upload();
    const settled: CompactionRecord = {
      partitionKey: RECEIPT.imageId,
      receipt: RECEIPT,
      change: { kind: 'settled', run: key },
    };
    await compactBatch(deps, [settled, settled]);
    expect(dispatched).toEqual([key.runId]);
    const { dispatchSettled: _, ...withoutDispatch } = deps;
    const result = await compactBatch(withoutDispatch, [settled]);
    expect(String(result.failures[0]?.error)).toContain('dispatches no validation');
  });
});

const OTHER = { imageId: OTHER_IMAGE_ID, receiptId: 1 };
const LINES = 2;
const merchant = (receipt = RECEIPT): CompactionRecord => ({
  partitionKey: receipt.imageId,
  receipt,
  change: { kind: 'merchant' },
});
const runRecord = (run: { imageId: string; receiptId: number; runId: string }): CompactionRecord => ({
  partitionKey: run.imageId,
  receipt: run,
  change: { kind: 'run', run },
});
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** One merchant record's change, deferred for the lines: a merge left them without vectors. */
const MERCHANT_DEFERRED_ON_LINES = {
  type: 'compaction.changes_deferred',
  receipt: RECEIPT,
  change: 'metadata',
  records: 1,
  collections: ['lines'],
};

/** The world's snapshot store, noting the collection of each refresh and holding back those of `slow` receipts. */
function observedRefreshes(deps: ReturnType<typeof setup>['deps'], slow?: string) {
  const refreshed: string[] = [];
  const { snapshots } = deps;
  const observed: EmbeddingSnapshotStore = {
    merge: (...args) => snapshots.merge(...args),
    patch: (...args) => snapshots.patch(...args),
    list: (...args) => snapshots.list(...args),
    remove: (...args) => snapshots.remove(...args),
    refresh: async (...args) => {
      refreshed.push(args[0]);
      if (slow && args[1].includes(slow)) await pause(30);
      return snapshots.refresh(...args);
    },
  };
  return { deps: { ...deps, snapshots: observed }, refreshed };
}

describe('compactBatch, what it tells', () => {
  it('reports each collection as it finishes: COMPLETED with the vectors merged, FAILED with the error', async () => {
    const { deps, deltas, telemetry, upload } = setup();
    const key = await upload();
    await deltas.deleteDelta(deltaPrefixes(key).linesDeltaPrefix);
    expect(await compactBatch(deps, [runRecord(key)])).toEqual({
      failures: [],
      deadLettered: [],
      deferred: [],
    });
    const finished = telemetry.eventsOf('compaction.collection_finished');
    expect(finished).toHaveLength(2);
    expect(finished).toContainEqual({
      type: 'compaction.collection_finished',
      run: key,
      collection: 'words',
      state: 'COMPLETED',
      mergedVectors: WORDS.length,
    });
    expect(finished).toContainEqual({
      type: 'compaction.collection_finished',
      run: key,
      collection: 'lines',
      state: 'FAILED',
      error: expect.stringContaining('delta'),
    });
  });

  it('reports each part refreshed on a merged receipt once, with the vectors it reached, however many records', async () => {
    const { deps: plain, telemetry, upload } = setup();
    await compactBatch(plain, [runRecord(await upload())]);
    const { deps, refreshed } = observedRefreshes(plain);
    const result = await compactBatch(deps, [labels(), merchant(), labels(), merchant()]);
    expect(result).toEqual({ failures: [], deadLettered: [], deferred: [] });
    expect(refreshed.sort()).toEqual(['lines', 'words']);
    expect(telemetry.eventsOf('compaction.snapshot_patched')).toEqual([
      { type: 'compaction.snapshot_patched', receipt: RECEIPT, change: 'labels', vectors: WORDS.length },
      {
        type: 'compaction.snapshot_patched',
        receipt: RECEIPT,
        change: 'metadata',
        vectors: LINES + WORDS.length,
      },
    ]);
    expect(telemetry.eventsOf('compaction.changes_deferred')).toEqual([]);
  });

  it('refreshes, with a merge that completed only words, the merchant fields of lines alone: deferred there', async () => {
    const { deps: plain, deltas, telemetry, upload } = setup();
    const key = await upload();
    await deltas.deleteDelta(deltaPrefixes(key).linesDeltaPrefix);
    const { deps, refreshed } = observedRefreshes(plain);
    const result = await compactBatch(deps, [runRecord(key), merchant(), labels()]);
    expect(result).toEqual({ failures: [], deadLettered: [], deferred: [1] });
    expect(refreshed).toEqual(['lines']);
    expect(telemetry.eventsOf('compaction.changes_deferred')).toEqual([MERCHANT_DEFERRED_ON_LINES]);
    expect(telemetry.metrics).toEqual([{ name: 'CompactionChangesDeferred', value: 1, unit: 'Count' }]);
    expect(telemetry.eventsOf('compaction.snapshot_patched')).toEqual([]);
  });

  it('refreshes only the part that changed: label records touch the words alone', async () => {
    const { deps: plain, telemetry, upload } = setup();
    await compactBatch(plain, [runRecord(await upload())]);
    const { deps, refreshed } = observedRefreshes(plain);
    await compactBatch(deps, [labels(), labels()]);
    expect(refreshed).toEqual(['words']);
    expect(telemetry.eventsOf('compaction.snapshot_patched').map((event) => event.change)).toEqual([
      'labels',
    ]);
  });

  it('defers a merchant change for the collection a failed merge left without vectors, and patches the other', async () => {
    const { deps: plain, deltas, telemetry, upload } = setup();
    const key = await upload();
    await deltas.deleteDelta(deltaPrefixes(key).linesDeltaPrefix);
    await compactBatch(plain, [runRecord(key)]);
    const { deps, refreshed } = observedRefreshes(plain);
    expect(await compactBatch(deps, [merchant()])).toEqual({ failures: [], deadLettered: [], deferred: [0] });
    expect(refreshed.sort()).toEqual(['lines', 'words']);
    // The labels did not change: nothing was patched for them.
    expect(telemetry.eventsOf('compaction.snapshot_patched')).toEqual([]);
    expect(telemetry.eventsOf('compaction.changes_deferred')).toEqual([MERCHANT_DEFERRED_ON_LINES]);
  });

  it('merges each distinct run of a segment once', async () => {
    const { deps, snapshots, telemetry, upload } = setup();
    const first = await upload();
    const second = await upload(RECEIPT, undefined, '16fd2706-8baf-433b-82eb-8c7fada847da');
    await compactBatch(deps, [runRecord(first), runRecord(second), runRecord(first)]);
    expect(snapshots.writes.map(({ operation }) => operation)).toEqual(['merge', 'merge', 'merge', 'merge']);
    const runs = telemetry.eventsOf('compaction.collection_finished').map((event) => event.run.runId);
    expect(runs.sort()).toEqual([first.runId, first.runId, second.runId, second.runId].sort());
  });

  it('lists dead-lettered and deferred records in batch order, however the keys finish', async () => {
    const { deps: plain } = setup();
    const { deps } = observedRefreshes(plain, RECEIPT.imageId);
    const slowFirst = {
      ...deps,
      deadLetter: async (index: number) => void (index === 0 && (await pause(30))),
    };
    const result = await compactBatch(slowFirst, [
      { partitionKey: 'a', deadLetter: 'unreadable' },
      labels(),
      { partitionKey: 'b', deadLetter: 'unreadable' },
      labels(OTHER),
      { partitionKey: 'c', deadLetter: 'unreadable' },
    ]);
    expect(result.deadLettered).toEqual([0, 2, 4]);
    expect(result.deferred).toEqual([1, 3]);
  });

  it('names only the collection left unfinished, and reports no finished collection for it', async () => {
    const { deps, snapshots, telemetry, upload } = setup();
    const key = await upload();
    snapshots.mergeFaults.failNext(1, 'transient');
    const [failure] = (await compactBatch(deps, [runRecord(key)])).failures;
    expect(String(failure?.error)).toMatch(/ left unfinished \((lines|words): [^;]+\)$/);
    const finished = telemetry.eventsOf('compaction.collection_finished');
    expect(finished.map((event) => event.state)).toEqual(['COMPLETED']);
  });

  it('says which collections a merge left unfinished, and why, when it must be delivered again', async () => {
    const { deps, snapshots, upload } = setup();
    const key = await upload();
    snapshots.mergeFaults.failNext(2, 'transient');
    const [failure] = (await compactBatch(deps, [runRecord(key)])).failures;
    const error = failure?.error;
    expect(error).toBeInstanceOf(CompactionRetryError);
    expect((error as Error).name).toBe('CompactionRetryError');
    expect((error as Error).message).toMatch(
      new RegExp(`^compaction of ${key.imageId}/1/${key.runId} left unfinished \\(lines: .+; words: .+\\)$`),
    );
  });
});
