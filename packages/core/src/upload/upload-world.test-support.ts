import { compactRun } from '../compaction/compact-run.js';
import { HashingEmbedder } from '../compaction/hashing-embedder.js';
import type { CompactionRunKey } from '../domain/compaction-run.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { Clock } from '../ports/clock.js';
import type { CompactionGate, GateResult } from '../ports/compaction-gate.js';
import type { ReceiptVersion } from '../ports/receipt-version-store.js';
import { sampleLine, sampleMetadata, sampleWord } from '../testing/contracts/contract-fixtures.js';
import { InMemoryCompactionRunRepository } from '../testing/in-memory-compaction-run-repository.js';
import { InMemoryEmbeddingDeltaStore } from '../testing/in-memory-embedding-delta-store.js';
import { InMemoryEmbeddingSnapshotStore } from '../testing/in-memory-embedding-snapshot-store.js';
import { InMemoryLabelRepository } from '../testing/in-memory-label-repository.js';
import { InMemoryMerchantRecordRepository } from '../testing/in-memory-merchant-record-repository.js';
import { InMemoryReceiptRepository } from '../testing/in-memory-receipt-repository.js';
import { InMemoryReceiptVersionStore } from '../testing/in-memory-receipt-version-store.js';
import { RecordingTelemetry } from '../testing/recording-telemetry.js';
import { type StoreReceiptVersionResult, storeReceiptVersion } from './store-receipt-version.js';

/** Real time, in short waits (leases are waited for by polling). */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A version of a receipt: `lines` lines of two words each; `text(lineId)` varies the lines' and words' text so two
 * versions differ in content.
 */
export function versionOf(
  receipt: ReceiptRef,
  lines: number,
  text: (lineId: number) => string = (lineId) => `line ${lineId}`,
): ReceiptVersion {
  return {
    receipt,
    lines: Array.from({ length: lines }, (_, i) => ({ ...sampleLine(receipt, i + 1), text: text(i + 1) })),
    words: Array.from({ length: lines * 2 }, (_, i) => {
      const lineId = Math.floor(i / 2) + 1;
      return { ...sampleWord(receipt, lineId, (i % 2) + 1), text: `${text(lineId)}/${(i % 2) + 1}` };
    }),
    metadata: sampleMetadata(receipt),
  };
}

/** A run id per distinct content, as the upload derives one (a stand-in for its content hash). */
export function runIdOf(version: ReceiptVersion): string {
  const text = JSON.stringify([version.lines.map((l) => l.text), version.words.map((w) => w.text)]);
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  const hex = hash.toString(16).padStart(8, '0');
  return `${hex}-0000-5000-8000-${hex}0000`;
}

/**
 * The upload's stores in memory, wired as the handler wires them, with a gate that settles at once (a test that
 * is about waiting brings its own) and a compactor to run by hand.
 */
export function uploadWorld(options: { gate?: CompactionGate } = {}) {
  const runs = new InMemoryCompactionRunRepository();
  const labels = new InMemoryLabelRepository({ runs });
  const receipts = new InMemoryReceiptRepository();
  const metadata = new InMemoryMerchantRecordRepository();
  const versions = new InMemoryReceiptVersionStore({ receipts, labels, metadata, runs, clock: realClock });
  const deltas = new InMemoryEmbeddingDeltaStore();
  const snapshots = new InMemoryEmbeddingSnapshotStore();
  const telemetry = new RecordingTelemetry();
  const gateCalls: CompactionRunKey[] = [];
  const gate: CompactionGate = options.gate ?? {
    async waitForCompaction(key): Promise<GateResult> {
      gateCalls.push(key);
      return { outcome: 'completed', waitedMs: 0, polls: 1 };
    },
  };
  const deps = {
    versions,
    deltas,
    snapshots,
    embedder: new HashingEmbedder({ dimensions: 8 }),
    gate,
    clock: realClock,
    telemetry,
  };
  return {
    runs,
    labels,
    receipts,
    metadata,
    versions,
    deltas,
    snapshots,
    telemetry,
    gateCalls,
    deps,
    upload: (version: ReceiptVersion, deadlineMs = 5_000): Promise<StoreReceiptVersionResult> =>
      storeReceiptVersion(deps, {
        version,
        runId: runIdOf(version),
        deadlineAt: realClock.now() + deadlineMs,
      }),
    /** The compactor's merge of a run, as its stream record would start it. */
    compact: (key: CompactionRunKey) =>
      compactRun({ runs, deltas, snapshots, clock: realClock, labels, merchantRecords: metadata }, key),
    /** Everything the upload may have written for a receipt, for before/after comparisons. */
    async state(receipt: ReceiptRef) {
      const [stored, vectorsOfLines, vectorsOfWords] = await Promise.all([
        versions.read(receipt),
        snapshots.list('lines', ''),
        snapshots.list('words', ''),
      ]);
      return { stored, deltas: deltas.prefixes(), vectors: [...vectorsOfLines, ...vectorsOfWords] };
    },
  };
}
