import { randomUUID } from 'node:crypto';
import { deltaPrefixes, type ReceiptRef, TransientStoreError } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleVersion } from '../../test/sample-versions.js';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { TOKENS } from '../container/tokens.js';
import { NothingToRecompactError, recompactReceipt } from './recompact-receipt.js';
import { startUploadSystem, type UploadSystem } from './upload.test-support.js';

const [sample] = SAMPLE_RECEIPTS;
if (!sample) throw new Error('no sample receipt');
const strip = ({ imageId: _i, receiptId: _r, ...rest }: { imageId?: unknown; receiptId?: unknown }) => rest;
const payloadOf = (receipt: ReceiptRef) => ({
  ...receipt,
  lines: sample.lines.map(strip),
  words: sample.words.map(strip),
  metadata: strip(sample.metadata),
});
let system: UploadSystem;
beforeAll(async () => {
  system = await startUploadSystem();
});
afterAll(() => system.stop());

const clock = new SystemClock();
const deps = () => ({
  versions: system.container.get(TOKENS.ReceiptVersionStore),
  deltas: system.deltas,
  embedder: system.container.get(TOKENS.Embedder),
  clock,
});
const runIdsOf = async (receipt: ReceiptRef) =>
  (await system.itemsOf(receipt))
    .filter((item) => item.TYPE?.S === 'COMPACTION_RUN')
    .map((item) => item.run_id?.S);

describe('recompactReceipt', () => {
  it('waits for an upload holding the lease, then builds the run from what the upload left', async () => {
    const receipt = { imageId: randomUUID(), receiptId: 1 };
    const first = await system.upload(payloadOf(receipt));
    await system.completeRun(first.run);
    const versions = deps().versions;
    const upload = await versions.lease(receipt, { waitUntil: clock.now() + 5_000 });
    const run = { ...receipt, runId: randomUUID() };
    const recompacted = recompactReceipt(deps(), run, { waitUntil: clock.now() + 20_000 });
    // While the upload holds the lease, the recompaction neither reads nor writes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await runIdsOf(receipt)).toEqual([first.run.runId]);
    await upload.writeContent(versions.check(sampleVersion(receipt, 2)).version, []);
    await upload.release();

    const built = await recompacted;
    expect(built.lines).toHaveLength(2);
    expect(await runIdsOf(receipt)).toEqual(expect.arrayContaining([first.run.runId, run.runId]));
    const prefixes = deltaPrefixes(run);
    expect(await system.deltas.getDelta(prefixes.linesDeltaPrefix)).toHaveLength(2);
    expect(await system.deltas.getDelta(prefixes.wordsDeltaPrefix)).toHaveLength(built.words.length);
    expect((await system.itemsOf(receipt)).some((item) => item.PK?.S?.startsWith('UPLOAD_LEASE#'))).toBe(
      false,
    );
  });

  it('gives up transiently when the lease stays taken past its wait, having written nothing', async () => {
    const receipt = { imageId: randomUUID(), receiptId: 1 };
    const first = await system.upload(payloadOf(receipt));
    const held = await deps().versions.lease(receipt, { waitUntil: clock.now() + 5_000 });
    const run = { ...receipt, runId: randomUUID() };
    try {
      await expect(recompactReceipt(deps(), run, { waitUntil: clock.now() + 300 })).rejects.toThrow(
        TransientStoreError,
      );
    } finally {
      await held.release();
    }
    expect(await runIdsOf(receipt)).toEqual([first.run.runId]);
    expect(system.deltas.prefixes()).not.toContain(deltaPrefixes(run).linesDeltaPrefix);
  });

  it('refuses a receipt without lines or words, and lets its lease go', async () => {
    const receipt = { imageId: randomUUID(), receiptId: 1 };
    const run = { ...receipt, runId: randomUUID() };
    await expect(recompactReceipt(deps(), run, { waitUntil: clock.now() + 5_000 })).rejects.toThrow(
      NothingToRecompactError,
    );
    expect(await system.itemsOf(receipt)).toEqual([]);
  });
});
