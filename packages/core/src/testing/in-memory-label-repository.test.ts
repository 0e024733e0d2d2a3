import { describe, expect, it } from 'vitest';
import { newCompactionRun } from '../domain/compaction-run.js';
import { parseWordLabel, type ReceiptWordLabel } from '../domain/word-label.js';
import { CompactionNotCompletedError } from '../errors/compaction-not-completed-error.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import { InMemoryCompactionRunRepository } from './in-memory-compaction-run-repository.js';
import { InMemoryLabelRepository } from './in-memory-label-repository.js';
import { VirtualClock } from './virtual-clock.js';

const receipt = { imageId: '3f1c2b4a-5d6e-4f70-8a91-b2c3d4e5f607', receiptId: 1 };
const key = { ...receipt, runId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d' };
const label = (wordId: number, overrides: Partial<ReceiptWordLabel> = {}) =>
  parseWordLabel({
    ...receipt,
    lineId: 1,
    wordId,
    label: 'TAX',
    timestampAdded: '2026-01-01T00:00:00.000Z',
    validationStatus: 'PENDING',
    ...overrides,
  });

function setup() {
  const clock = new VirtualClock();
  const runs = new InMemoryCompactionRunRepository();
  return { clock, runs, labels: new InMemoryLabelRepository({ runs, clock }) };
}

async function complete(runs: InMemoryCompactionRunRepository): Promise<void> {
  await runs.createCompactionRun(
    newCompactionRun({
      ...key,
      linesDeltaPrefix: 'l/',
      wordsDeltaPrefix: 'w/',
      createdAt: '2026-01-01T00:00:00Z',
    }),
  );
  for (const collection of ['lines', 'words'] as const) {
    await runs.transitionCollection(key, collection, { to: 'PROCESSING', at: '2026-01-01T00:00:01Z' });
    await runs.transitionCollection(key, collection, {
      to: 'COMPLETED',
      at: '2026-01-01T00:00:02Z',
      mergedVectors: 1,
    });
  }
}

describe('InMemoryLabelRepository', () => {
  it('logs each write with its clock time, whether it was guarded, and whether the guard let it through', async () => {
    const { clock, runs, labels } = setup();
    await labels.saveLabels([label(1), label(1)]);
    await clock.advance(500);
    await expect(labels.saveLabels([label(2)], { requireCompleted: key })).rejects.toBeInstanceOf(
      CompactionNotCompletedError,
    );
    await complete(runs);
    await clock.advance(250);
    await labels.saveLabels([label(2)], { requireCompleted: key });
    const start = Date.UTC(2026, 0, 1);
    expect(labels.writes).toEqual([
      { at: start, labels: [label(1)], guarded: false, applied: true },
      { at: start + 500, labels: [label(2)], guarded: true, applied: false },
      { at: start + 750, labels: [label(2)], guarded: true, applied: true },
    ]);
  });

  it('logs writes without a time when it has no clock', async () => {
    const labels = new InMemoryLabelRepository({ runs: new InMemoryCompactionRunRepository() });
    await labels.saveLabels([label(1)]);
    expect(labels.writes).toEqual([{ labels: [label(1)], guarded: false, applied: true }]);
  });

  it('checks the guard without counting a read of the run', async () => {
    const { runs, labels } = setup();
    await complete(runs);
    await labels.saveLabels([label(1)], { requireCompleted: key });
    expect(runs.reads).toBe(0);
  });

  it('writes and logs nothing when an injected fault fires, and works again after it', async () => {
    const { labels } = setup();
    labels.writeFaults.failNext(1, 'transient');
    await expect(labels.saveLabels([label(1)])).rejects.toBeInstanceOf(TransientStoreError);
    expect(await labels.getLabels(receipt)).toEqual([]);
    expect(labels.writes).toEqual([]);
    expect((await labels.saveLabels([label(1)])).written).toEqual([label(1)]);
  });

  it('validates every label before writing or logging anything', async () => {
    const { labels } = setup();
    await expect(labels.saveLabels([label(1), { ...label(2), reasoning: '' }])).rejects.toBeInstanceOf(
      InvalidValueError,
    );
    expect(await labels.getLabels(receipt)).toEqual([]);
    expect(labels.writes).toEqual([]);
  });

  it('put stores a label as given, replacing the item, unlike saveLabels', async () => {
    const { labels } = setup();
    await labels.saveLabels([label(1)]);
    labels.put(label(1, { validationStatus: 'INVALID', reasoning: 'reviewed' }));
    expect(await labels.getLabels(receipt)).toEqual([
      label(1, { validationStatus: 'INVALID', reasoning: 'reviewed' }),
    ]);
    expect(labels.writes).toHaveLength(1);
  });

  it('returns copies, so a caller cannot change what is stored', async () => {
    const { labels } = setup();
    const [written] = (await labels.saveLabels([label(1)])).written;
    (written as { reasoning?: string }).reasoning = 'mutated';
    const [read] = await labels.getLabels(receipt);
    (read as { reasoning?: string }).reasoning = 'mutated';
    expect(await labels.getLabels(receipt)).toEqual([label(1)]);
    const [wordLabel] = await labels.getWordLabels({ ...receipt, lineId: 1, wordId: 1 });
    (wordLabel as { reasoning?: string }).reasoning = 'mutated';
    expect(await labels.getWordLabels({ ...receipt, lineId: 1, wordId: 1 })).toEqual([label(1)]);
  });
});
