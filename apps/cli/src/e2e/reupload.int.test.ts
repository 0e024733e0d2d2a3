import { randomUUID } from 'node:crypto';
import {
  type CompactionRunKey,
  lineVectorId,
  type ReceiptRef,
  receiptVectorPrefix,
  wordVectorId,
} from '@receipt-gate/core';
import { GROCERY_RECEIPT, PHARMACY_RECEIPT } from '@receipt-gate/core/testing';
import { InvalidUploadError, TOKENS, type UploadResult } from '@receipt-gate/lambda';
import { describe, expect } from 'vitest';
import { E2E_TIMEOUT, type E2ESystem, e2e, uploadOf } from './e2e.test-support.js';

interface Payload {
  readonly imageId: string;
  readonly receiptId: number;
  readonly lines: { lineId: number; text: string }[];
  readonly words: { lineId: number; wordId: number; text: string }[];
  readonly metadata: object;
}

const LONG = { timeout: 180_000 } as const;

/** The payload with only its first `lines` lines (and their words), the text of line `retext` read differently. */
function variant(payload: Payload, lines: number, retext?: number): Payload {
  const kept = payload.lines
    .slice(0, lines)
    .map((line) => (line.lineId === retext ? { ...line, text: `${line.text} (read again)` } : line));
  const ids = new Set(kept.map((line) => line.lineId));
  return {
    ...payload,
    lines: kept,
    words: payload.words
      .filter((word) => ids.has(word.lineId))
      .map((word) => (word.lineId === retext ? { ...word, text: `${word.text}~` } : word)),
  };
}

/** Line and word ids of a payload, as the table's keys and the snapshots' vector ids name them. */
function idsOf(payload: Payload) {
  const receipt = { imageId: payload.imageId, receiptId: payload.receiptId };
  const pad = (id: number) => String(id).padStart(5, '0');
  const r5 = `RECEIPT#${pad(payload.receiptId)}`;
  return {
    lineKeys: payload.lines.map((line) => `${r5}#LINE#${pad(line.lineId)}`).sort(),
    wordKeys: payload.words.map((word) => `${r5}#LINE#${pad(word.lineId)}#WORD#${pad(word.wordId)}`).sort(),
    lineVectors: payload.lines.map((line) => lineVectorId({ ...receipt, lineId: line.lineId })).sort(),
    wordVectors: payload.words
      .map((word) => wordVectorId({ ...receipt, lineId: word.lineId, wordId: word.wordId }))
      .sort(),
  };
}

/** What the receipt holds in the table and both snapshots, by key and vector id. */
async function holdings(system: E2ESystem, receipt: ReceiptRef) {
  const items = (await system.items()).filter((item) => item.PK?.S === `IMAGE#${receipt.imageId}`);
  const keysOf = (type: string) =>
    items
      .filter((item) => item.TYPE?.S === type)
      .map((item) => item.SK?.S ?? '')
      .sort();
  const prefix = receiptVectorPrefix(receipt);
  const vectorIds = async (collection: 'lines' | 'words') =>
    (await system.snapshots.list(collection, prefix)).map((vector) => vector.id).sort();
  return {
    lineKeys: keysOf('RECEIPT_LINE'),
    wordKeys: keysOf('RECEIPT_WORD'),
    /** The word each label is on. */
    labelWords: [...new Set(keysOf('RECEIPT_WORD_LABEL').map((sk) => sk.replace(/#LABEL#.*$/, '')))].sort(),
    runs: keysOf('COMPACTION_RUN').map((sk) => sk.replace(/^.*#COMPACTION_RUN#/, '')),
    lineVectors: await vectorIds('lines'),
    wordVectors: await vectorIds('words'),
    leases: (await system.items()).filter((item) => item.PK?.S?.startsWith('UPLOAD_LEASE#')),
  };
}

/**
 * The receipt holds exactly `payload`'s lines, words and vectors, its run, and (unless `labels` is false) labels
 * only on its words.
 */
async function expectHoldsExactly(
  system: E2ESystem,
  payload: Payload,
  run: CompactionRunKey,
  options: { labels: boolean } = { labels: true },
) {
  const held = await holdings(system, payload);
  const ids = idsOf(payload);
  expect(held.lineKeys).toEqual(ids.lineKeys);
  expect(held.wordKeys).toEqual(ids.wordKeys);
  expect(held.lineVectors).toEqual(ids.lineVectors);
  expect(held.wordVectors).toEqual(ids.wordVectors);
  if (options.labels) expect(held.labelWords.filter((word) => !ids.wordKeys.includes(word))).toEqual([]);
  expect(held.runs).toContain(run.runId);
  expect(held.leases).toEqual([]);
  expect((await system.state(run)).run).toMatchObject({ linesState: 'COMPLETED', wordsState: 'COMPLETED' });
}

describe('uploads of a receipt it holds already', () => {
  e2e(
    'replace it with a smaller version: no stale line, word, label or vector is left',
    LONG,
    async ({ start }) => {
      const system = await start({ mode: 'inline' });
      const first = uploadOf(GROCERY_RECEIPT) as unknown as Payload;
      const stored = await system.upload(first);
      await system.settle();
      expect(await system.violations([stored.run])).toEqual([]);
      const before = await holdings(system, first);
      expect(before.labelWords.length).toBeGreaterThan(0);
      expect(before.wordVectors).toEqual(idsOf(first).wordVectors);

      // Fewer lines, and the text of one kept line read differently.
      const smaller = variant(first, Math.ceil(first.lines.length / 2), 1);
      const replaced = await system.upload(smaller);
      expect(replaced.outcome).toBe('replaced');
      expect(replaced.run.runId).not.toBe(stored.run.runId);
      expect(replaced.removed).toMatchObject({
        lines: first.lines.length - smaller.lines.length,
        words: first.words.length - smaller.words.length,
      });
      expect(replaced.removed.vectors).toBe(
        first.lines.length - smaller.lines.length + first.words.length - smaller.words.length,
      );
      await system.settle();
      await expectHoldsExactly(system, smaller, replaced.run);
      // Validated behind its own compaction (the labels kept from the first version predate that one).
      expect(system.recorder.record(replaced.run)).toMatchObject({
        gate: { outcome: 'completed' },
        unguarded: false,
      });
      expect(system.unprocessed).toEqual([]);
    },
  );

  e2e('gets the same content back as a fresh run that is compacted again', LONG, async ({ start }) => {
    const system = await start({ mode: 'event' });
    const first = uploadOf(PHARMACY_RECEIPT) as unknown as Payload;
    const other = variant(first, first.lines.length - 3, 2);
    const a = await system.upload(first);
    await system.settle();
    await system.upload(other);
    await system.settle();
    const again = await system.upload(first);
    expect(again).toMatchObject({ outcome: 'replaced', run: a.run });
    await system.settle();
    await expectHoldsExactly(system, first, a.run);
    expect(system.unprocessed).toEqual([]);
  });

  e2e(
    'refuses a runId that is not the run of its content, writing nothing',
    E2E_TIMEOUT,
    async ({ start }) => {
      const system = await start({ mode: 'event' });
      const payload = uploadOf(PHARMACY_RECEIPT);
      const error = await system
        .upload({ ...payload, runId: randomUUID() })
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(InvalidUploadError);
      expect((error as InvalidUploadError).problems).toEqual([
        expect.stringMatching(/^run_id: [0-9a-f-]{36} is not the run of this content \([0-9a-f-]{36}\)/),
      ]);
      expect(await system.items()).toEqual([]);
      const stored = await system.upload(payload);
      // The content's own run id is accepted.
      expect((await system.upload({ ...payload, runId: stored.run.runId })).outcome).toBe('unchanged');
    },
  );
});

describe('concurrent uploads of one receipt', () => {
  e2e(
    'of the same content all succeed with one run (70 of them, as retries racing the original)',
    LONG,
    async ({ start }) => {
      const system = await start({ mode: 'event' });
      const payload = uploadOf(GROCERY_RECEIPT) as unknown as Payload;
      const results = await Promise.all(Array.from({ length: 70 }, () => system.upload(payload)));
      expect(new Set(results.map((result) => result.run.runId)).size).toBe(1);
      expect(results.map((result) => result.outcome).sort()).toEqual([
        'created',
        ...Array.from({ length: 69 }, () => 'unchanged'),
      ]);
      const [{ run } = {} as UploadResult] = results;
      expect((await holdings(system, payload)).runs).toEqual([run.runId]);
      await system.settle();
      await expectHoldsExactly(system, payload, run);
      expect(system.unprocessed).toEqual([]);
    },
  );

  e2e('of different content end with exactly one of them, whole, never a mix', LONG, async ({ start }) => {
    const system = await start({ mode: 'event' });
    const base = uploadOf(GROCERY_RECEIPT) as unknown as Payload;
    const versions = [base, variant(base, base.lines.length - 4, 1), variant(base, base.lines.length - 8, 3)];
    const results = await Promise.all(versions.map((version) => system.upload(version)));
    await system.settle();
    const held = await holdings(system, base);
    const index = versions.findIndex(
      (version) => JSON.stringify(idsOf(version).lineKeys) === JSON.stringify(held.lineKeys),
    );
    const [version, result] = [versions[index], results[index]];
    if (!version || !result)
      throw new Error(`the receipt holds none of the versions: ${held.lineKeys.length} lines`);
    // Labels are left out here: the validation of a version replaced while it ran may still write its labels
    // (its run stays COMPLETED, so its guarded write passes); README, "Uploads", says so.
    await expectHoldsExactly(system, version, result.run, { labels: false });
    // Whole: every line reads as that version wrote it.
    const { lines } = await system.container.get(TOKENS.ReceiptRepository).getReceiptContent(base);
    expect(lines.map((line) => line.text)).toEqual(version.lines.map((line) => line.text));
  });
});
