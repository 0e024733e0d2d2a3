import { randomUUID } from 'node:crypto';
import { UploadNotStoredError } from '@receipt-gate/core';
import { VARIED_SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useOwnDynamoDbLocal } from '../../test/dynamodb.js';
import { type FaultTiming, startUploadSystem, type UploadSystem } from './upload.test-support.js';
import type { UploadResult } from './upload-handler.js';

useOwnDynamoDbLocal();

// All or nothing from the caller's view, shown write by write: an upload is run once to count its writes, then
// once per write with a fault injected at exactly that write, before it (the write never happens) or after it
// (it happens, its answer is lost); and once per delta with a faulty delta store. Each time the upload either
// stores the whole receipt with its run, or fails with a clear error having left the receipt exactly as it was
// (not one item, lease or delta more or less). A retry then stores it.

// The sample with the most words: its items take several transactions, and so does a replacement.
const sample = [...VARIED_SAMPLE_RECEIPTS].sort((a, b) => b.words.length - a.words.length)[0];
if (!sample) throw new Error('no sample receipt');
const strip = ({ imageId: _i, receiptId: _r, ...rest }: { imageId?: unknown; receiptId?: unknown }) => rest;
const payloadOf = (imageId: string, lines: number, suffix = '') => {
  const kept = sample.lines.slice(0, lines);
  return {
    imageId,
    receiptId: 1,
    lines: kept.map((line) => ({ ...strip(line), text: `${line.text}${suffix}` })),
    words: sample.words
      .filter((word) => kept.some((line) => line.lineId === word.lineId))
      .map((word) => ({ ...strip(word), text: `${word.text}${suffix}` })),
    metadata: strip(sample.metadata),
  };
};
const FIRST_LINES = sample.lines.length;
const REPLACEMENT_LINES = 20;

let system: UploadSystem;
beforeAll(async () => {
  system = await startUploadSystem();
});
afterAll(() => system.stop());

type Scenario = 'a first upload' | 'a replacement';

/** A fresh receipt in the state the scenario starts from, and the upload under test. */
async function prepare(scenario: Scenario) {
  const imageId = randomUUID();
  if (scenario === 'a replacement') {
    const first = await system.upload(payloadOf(imageId, FIRST_LINES));
    await system.completeRun(first.run);
  }
  const lines = scenario === 'a first upload' ? FIRST_LINES : REPLACEMENT_LINES;
  return { receipt: { imageId, receiptId: 1 }, payload: payloadOf(imageId, lines, ' (again)'), lines };
}

/** What the receipt holds: its items and lease, and its deltas. */
async function stateOf(receipt: { imageId: string; receiptId: number }) {
  return { items: await system.itemsOf(receipt), deltas: system.deltas.prefixes() };
}

async function expectStored(
  receipt: { imageId: string; receiptId: number },
  result: UploadResult,
  lines: number,
) {
  const items = await system.itemsOf(receipt);
  const runs = items.filter((item) => item.TYPE?.S === 'COMPACTION_RUN').map((item) => item.run_id?.S);
  expect(runs).toContain(result.run.runId);
  expect(items.filter((item) => item.TYPE?.S === 'RECEIPT_LINE')).toHaveLength(lines);
  expect(items.some((item) => item.PK?.S?.startsWith('UPLOAD_LEASE#'))).toBe(false);
  expect(system.deltas.prefixes()).toEqual(
    expect.arrayContaining([`lines/delta/${result.run.runId}/`, `words/delta/${result.run.runId}/`]),
  );
}

describe.each<Scenario>(['a first upload', 'a replacement'])('%s', (scenario) => {
  it('writes through a known number of DynamoDB writes when nothing fails', async () => {
    const { receipt, payload, lines } = await prepare(scenario);
    system.faults.reset();
    const result = await system.upload(payload);
    await expectStored(receipt, result, lines);
    // The lease, the content in more than one transaction (over 99 items each time), the run, the release.
    expect(system.faults.writes).toBeGreaterThanOrEqual(5);
  });

  for (const timing of ['before', 'after'] as FaultTiming[]) {
    it(`stores all or nothing with a fault ${timing} each of its DynamoDB writes, and a retry stores it`, {
      timeout: 180_000,
    }, async () => {
      const counted = await prepare(scenario);
      system.faults.reset();
      await system.upload(counted.payload);
      const writes = system.faults.writes;
      const outcomes: string[] = [];
      for (let n = 1; n <= writes; n++) {
        const { receipt, payload, lines } = await prepare(scenario);
        const before = await stateOf(receipt);
        system.faults.failAt(n, timing);
        const result = await system.upload(payload).catch((error: unknown) => error);
        system.faults.reset();
        if (result instanceof Error) {
          outcomes.push(`${n}: ${result.name}`);
          // Nothing of it is left: not an item, a lease or a delta.
          expect(await stateOf(receipt), `${timing} write ${n}: ${result.message}`).toEqual(before);
          if (result instanceof UploadNotStoredError) expect(result.rolledBack).toBe(true);
          else expect(result.message).toMatch(/^injected fault/);
          await expectStored(receipt, await system.upload(payload), lines);
        } else {
          outcomes.push(`${n}: stored`);
          await expectStored(receipt, result as UploadResult, lines);
        }
      }
      // Every write after the lease's is one whose failure the upload must undo.
      expect(outcomes.filter((outcome) => outcome.endsWith('UploadNotStoredError')).length).toBeGreaterThan(
        0,
      );
    });
  }

  for (const delta of ['lines', 'words'] as const) {
    it(`stores all or nothing when the ${delta} delta cannot be written, or is written and its answer lost`, {
      timeout: 120_000,
    }, async () => {
      for (const landed of [false, true]) {
        const { receipt, payload, lines } = await prepare(scenario);
        const before = await stateOf(receipt);
        const put = system.deltas.putDelta.bind(system.deltas);
        system.deltas.putDelta = async (prefix, vectors) => {
          if (!prefix.startsWith(`${delta}/`)) return put(prefix, vectors);
          system.deltas.putDelta = put;
          if (landed) await put(prefix, vectors);
          throw new Error(`injected delta store fault (${landed ? 'written' : 'not written'})`);
        };
        const error = await system.upload(payload).catch((thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(UploadNotStoredError);
        expect((error as UploadNotStoredError).rolledBack).toBe(true);
        expect(await stateOf(receipt)).toEqual(before);
        await expectStored(receipt, await system.upload(payload), lines);
      }
    });
  }
});
