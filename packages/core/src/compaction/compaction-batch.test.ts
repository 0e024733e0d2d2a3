import { describe, expect, it } from 'vitest';
import { TransientStoreError } from '../errors/transient-store-error.js';
import { sampleLabel, sampleMetadata } from '../testing/contracts/contract-fixtures.js';
import { RecordingTelemetry } from '../testing/recording-telemetry.js';
import { type CompactionRecord, compactBatch } from './compaction-batch.js';
import { compactionWorld, NEIGHBOUR, RECEIPT } from './compaction-world.test-support.js';
import { labelVectorFields } from './label-vector-fields.js';
import { wordVectorId } from './vector-ids.js';

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
