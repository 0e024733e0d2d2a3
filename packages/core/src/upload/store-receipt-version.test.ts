import { describe, expect, it } from 'vitest';
import { lineVectorId, receiptVectorPrefix } from '../compaction/vector-ids.js';
import type { CompactionRunKey } from '../domain/compaction-run.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import { ReceiptVersionRefusedError } from '../errors/receipt-version-refused-error.js';
import { UploadNotStoredError } from '../errors/upload-not-stored-error.js';
import type { GateResult } from '../ports/compaction-gate.js';
import { sampleLabel } from '../testing/contracts/contract-fixtures.js';
import { runIdOf, uploadWorld, versionOf } from './upload-world.test-support.js';

const receipt: ReceiptRef = { imageId: '5c0c1b8e-9f2a-4d3b-8e7f-6a5b4c3d2e1f', receiptId: 2 };
const first = versionOf(receipt, 4);
const smaller = versionOf(receipt, 2, (lineId) => `line ${lineId}, read again`);

describe('storeReceiptVersion', () => {
  it('stores a first version: content, merchant record, both deltas, and last its run', async () => {
    const world = uploadWorld();
    const result = await world.upload(first);
    expect(result).toMatchObject({ outcome: 'created', run: { ...receipt, runId: runIdOf(first) } });
    const { stored, deltas } = await world.state(receipt);
    expect(stored.lines).toEqual(first.lines);
    expect(stored.words).toEqual(first.words);
    expect(stored.metadata).toEqual(first.metadata);
    expect(stored.runs.map((run) => [run.runId, run.linesState, run.wordsState])).toEqual([
      [runIdOf(first), 'PENDING', 'PENDING'],
    ]);
    expect(deltas).toEqual([`lines/delta/${runIdOf(first)}/`, `words/delta/${runIdOf(first)}/`]);
    expect(world.telemetry.eventsOf('upload.stored')).toMatchObject([{ outcome: 'created', lines: 4 }]);
  });

  it('treats the same content again as a no-op returning the existing run, even after its compaction', async () => {
    const world = uploadWorld();
    const { run } = await world.upload(first);
    await world.compact(run);
    const before = await world.state(receipt);
    // Said NONE again, while the stored items moved on: the embedding status is not content.
    const again = await world.upload({
      ...first,
      lines: first.lines.map((line) => ({ ...line, embeddingStatus: 'NONE' as const })),
    });
    expect(again).toEqual({
      outcome: 'unchanged',
      run,
      removed: { lines: 0, words: 0, labels: 0, vectors: 0 },
      decidedLabelsKept: [],
    });
    expect(await world.state(receipt)).toEqual(before);
  });

  it('replaces a version by a smaller one: no stale line, word, label or vector is left, and a new run exists', async () => {
    const world = uploadWorld();
    const { run } = await world.upload(first);
    await world.compact(run);
    await world.labels.saveLabels([sampleLabel(receipt, 4, 1, 'TAX'), sampleLabel(receipt, 1, 1, 'DATE')]);

    const result = await world.upload(smaller);
    expect(result).toMatchObject({
      outcome: 'replaced',
      run: { runId: runIdOf(smaller) },
      removed: { lines: 2, words: 4, labels: 2, vectors: 6 },
    });
    await world.compact(result.run);
    const { stored, vectors } = await world.state(receipt);
    expect(stored.lines).toEqual(smaller.lines);
    expect(stored.words).toEqual(smaller.words);
    // Line 1's text changed: its word's undecided label went too.
    expect(stored.labels).toEqual([]);
    expect(stored.runs.map((r) => r.runId).sort()).toEqual([runIdOf(first), runIdOf(smaller)].sort());
    expect(vectors.map((vector) => vector.id).sort()).toEqual(
      [
        ...smaller.lines.map((line) => lineVectorId(line)),
        ...smaller.words.map((word) => `${lineVectorId(word)}#WORD#0000${word.wordId}`),
      ].sort(),
    );
    const [firstLine] = smaller.lines;
    expect(firstLine && vectors.find((vector) => vector.id === lineVectorId(firstLine))?.metadata.text).toBe(
      'line 1, read again',
    );
  });

  it('refuses, writing nothing, a version that would drop a word holding a label a person decided', async () => {
    const world = uploadWorld();
    await world.upload(first);
    world.labels.put({ ...sampleLabel(receipt, 3, 2, 'GRAND_TOTAL'), validationStatus: 'VALID' });
    const before = await world.state(receipt);
    const error = await world.upload(smaller).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ReceiptVersionRefusedError);
    expect((error as ReceiptVersionRefusedError).problems).toEqual([
      'words: word 3/2 ("line 3/2") is not in this upload, but it carries the label GRAND_TOTAL a person decided (VALID); upload it again or clear the label first',
    ]);
    expect(await world.state(receipt)).toEqual(before);
  });

  it('keeps, and reports, a decided label of a word whose text changed; removes the undecided ones beside it', async () => {
    const world = uploadWorld();
    await world.upload(first);
    const decided = { ...sampleLabel(receipt, 1, 1, 'DATE'), validationStatus: 'NEEDS_REVIEW' as const };
    world.labels.put(decided);
    world.labels.put(sampleLabel(receipt, 1, 1, 'TIME'));
    const changed = versionOf(receipt, 4, (lineId) =>
      lineId === 1 ? 'line 1, read again' : `line ${lineId}`,
    );
    const result = await world.upload(changed);
    expect(result.decidedLabelsKept).toEqual([decided]);
    expect(result.removed.labels).toBe(1);
    expect((await world.state(receipt)).stored.labels).toEqual([decided]);
  });

  it('keeps the merchant record the receipt has, and builds the vectors from it', async () => {
    const world = uploadWorld();
    await world.upload(first);
    const record = first.metadata;
    if (!record) throw new Error('the version has a merchant record');
    await world.metadata.updateMerchantRecord(record, { ...record, merchantName: 'Corrected Coffee' });
    const other = { ...smaller, metadata: { ...record, merchantName: 'Uploaded Again' } };
    const { run } = await world.upload(other);
    await world.compact(run);
    expect((await world.state(receipt)).stored.metadata?.merchantName).toBe('Corrected Coffee');
    const [vector] = await world.snapshots.list('lines', receiptVectorPrefix(receipt));
    expect(vector?.metadata.merchant_name).toBe('Corrected Coffee');
  });

  it('waits for the compaction of the version it replaces before writing', async () => {
    const order: string[] = [];
    let world: ReturnType<typeof uploadWorld>;
    const gate = {
      async waitForCompaction(key: CompactionRunKey): Promise<GateResult> {
        order.push(`wait ${key.runId === runIdOf(first) ? 'first' : 'other'}`);
        await world.compact(key);
        return { outcome: 'completed', waitedMs: 0, polls: 1 };
      },
    };
    world = uploadWorld({ gate });
    await world.upload(first);
    order.push('replace');
    await world.upload(smaller);
    expect(order).toEqual(['replace', 'wait first']);
    const replaced = (await world.state(receipt)).stored.runs.find((run) => run.runId === runIdOf(first));
    expect(replaced?.linesState).toBe('COMPLETED');
    // Nothing is waited for when the content is already stored.
    await world.upload(smaller);
    expect(order).toEqual(['replace', 'wait first']);
  });

  it('stores at most one run for 70 concurrent uploads of the same content, and all of them get it', async () => {
    const world = uploadWorld();
    const results = await Promise.all(Array.from({ length: 70 }, () => world.upload(first)));
    expect(new Set(results.map((result) => result.run.runId))).toEqual(new Set([runIdOf(first)]));
    expect(results.filter((result) => result.outcome === 'created')).toHaveLength(1);
    expect((await world.state(receipt)).stored.runs).toHaveLength(1);
  });

  it('ends concurrent uploads of different content with exactly one of them, whole, and its run', async () => {
    const world = uploadWorld();
    const versions = [first, smaller, versionOf(receipt, 3, (lineId) => `third ${lineId}`)];
    await Promise.all(versions.map((version) => world.upload(version)));
    const { stored } = await world.state(receipt);
    const last = versions.find((version) => version.lines.length === stored.lines.length);
    expect(stored.lines).toEqual(last?.lines);
    expect(stored.words).toEqual(last?.words);
    expect(last && stored.runs.map((run) => run.runId)).toContain(last && runIdOf(last));
  });
});

describe('storeReceiptVersion under faults', () => {
  type World = ReturnType<typeof uploadWorld>;
  // Every write the upload makes, in order, and how to make it fail once.
  const faults: Record<string, (world: World) => void> = {
    writeContent: (world) => world.versions.contentFaults.failNext(1, 'transient'),
    'putDelta (lines)': (world) => world.deltas.writeFaults.failNext(1, 'permanent'),
    'putDelta (words)': (world) => {
      const put = world.deltas.putDelta.bind(world.deltas);
      let calls = 0;
      world.deltas.putDelta = async (prefix, vectors) => {
        calls += 1;
        await put(prefix, vectors);
        // The words delta lands, then the call fails (a timeout after the write): it must be removed too.
        if (calls === 2) throw new Error('injected: the words delta was written but the call failed');
      };
    },
    writeRun: (world) => world.versions.runFaults.failNext(1, 'transient'),
  };

  for (const [write, inject] of Object.entries(faults)) {
    for (const scenario of ['a first upload', 'a replacement'] as const) {
      it(`rolls back ${scenario} that fails at ${write}, and a retry stores it`, async () => {
        const world = uploadWorld();
        if (scenario === 'a replacement') {
          const { run } = await world.upload(first);
          await world.compact(run);
        }
        const before = await world.state(receipt);
        const version = scenario === 'a first upload' ? first : smaller;
        inject(world);
        const error = await world.upload(version).catch((thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(UploadNotStoredError);
        expect((error as UploadNotStoredError).rolledBack).toBe(true);
        expect(await world.state(receipt)).toEqual(before);
        expect(world.telemetry.eventsOf('upload.failed')).toMatchObject([{ rolledBack: true }]);

        const stored = await world.upload(version);
        expect(stored.run.runId).toBe(runIdOf(version));
        expect((await world.state(receipt)).stored.lines).toEqual(version.lines);
      });
    }
  }

  it('says so when the rollback fails too, and a retry of the same upload completes it', async () => {
    const world = uploadWorld();
    world.deltas.writeFaults.failNext(1, 'transient');
    world.versions.rollbackFaults.failNext(1, 'transient');
    const error = await world.upload(first).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UploadNotStoredError);
    expect((error as UploadNotStoredError).rolledBack).toBe(false);
    expect((error as Error).message).toMatch('upload it again to complete it');
    const { stored } = await world.state(receipt);
    expect(stored.lines).toEqual(first.lines);
    expect(stored.runs).toEqual([]);

    const retried = await world.upload(first);
    expect(retried.outcome).toBe('replaced');
    expect((await world.state(receipt)).stored.runs).toHaveLength(1);
  });
});
