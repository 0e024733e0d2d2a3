import { type CompactionRunKey, newCompactionRun } from '../domain/compaction-run.js';
import type { MerchantRecord } from '../domain/merchant-record.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { ReceiptLine, ReceiptWord } from '../domain/receipt-text.js';
import { toTimestamp } from '../domain/timestamps.js';
import { sampleLine, sampleMetadata, sampleWord } from '../testing/contracts/contract-fixtures.js';
import { InMemoryCompactionRunRepository } from '../testing/in-memory-compaction-run-repository.js';
import { InMemoryEmbeddingDeltaStore } from '../testing/in-memory-embedding-delta-store.js';
import { InMemoryEmbeddingSnapshotStore } from '../testing/in-memory-embedding-snapshot-store.js';
import { InMemoryLabelRepository } from '../testing/in-memory-label-repository.js';
import { InMemoryMerchantRecordRepository } from '../testing/in-memory-merchant-record-repository.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import { buildEmbeddingDeltas } from './build-embedding-deltas.js';
import { HashingEmbedder } from './hashing-embedder.js';
import { deltaPrefixes } from './vector-ids.js';

export const IMAGE_ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
export const OTHER_IMAGE_ID = '9b2e8c4d-1a3f-4e5b-8c7d-6e5f4a3b2c1d';
export const RECEIPT: ReceiptRef = { imageId: IMAGE_ID, receiptId: 1 };
/** Receipt 10 of the same image: its ids share `...#RECEIPT#0001` with receipt 1 up to the padding. */
export const NEIGHBOUR: ReceiptRef = { imageId: IMAGE_ID, receiptId: 10 };
export const RUN_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

/** Lines 1 and 2; words (1,1), (1,2), (2,1): word ids > 0, so every word can carry a label. */
export const WORDS = [
  [1, 1],
  [1, 2],
  [2, 1],
] as const;

const contents = new Map<string, { lines: ReceiptLine[]; words: ReceiptWord[] }>();

/** The lines and words of a sample receipt (parsed once: the properties build many worlds). */
export function receiptContent(receipt: ReceiptRef): { lines: ReceiptLine[]; words: ReceiptWord[] } {
  const id = `${receipt.imageId}/${receipt.receiptId}`;
  const content = contents.get(id) ?? {
    lines: [1, 2].map((lineId) => sampleLine(receipt, lineId)),
    words: WORDS.map(([lineId, wordId]) => sampleWord(receipt, lineId, wordId)),
  };
  contents.set(id, content);
  return { lines: [...content.lines], words: [...content.words] };
}

/**
 * A clock, the in-memory stores (the table's labels and merchant records, which merges read, included) and an
 * upload that puts a receipt's deltas and creates its run.
 */
export function compactionWorld() {
  const clock = new VirtualClock();
  const runs = new InMemoryCompactionRunRepository();
  const labels = new InMemoryLabelRepository({ runs });
  const merchantRecords = new InMemoryMerchantRecordRepository();
  const deltas = new InMemoryEmbeddingDeltaStore();
  const snapshots = new InMemoryEmbeddingSnapshotStore({ clock });
  const embedder = new HashingEmbedder({ dimensions: 16 });

  /** What the upload does: deltas built with `metadata`, then the run, both collections PENDING. */
  const upload = async (
    receipt: ReceiptRef = RECEIPT,
    metadata: MerchantRecord | undefined = sampleMetadata(receipt),
    runId = RUN_ID,
  ): Promise<CompactionRunKey> => {
    const key = { ...receipt, runId };
    const built = await buildEmbeddingDeltas(embedder, { receipt, ...receiptContent(receipt), metadata });
    const prefixes = deltaPrefixes(key);
    // As the upload handler does: the merchant record is created unless the receipt has one.
    if (metadata) await merchantRecords.addMerchantRecord(metadata);
    await deltas.putDelta(prefixes.linesDeltaPrefix, built.lines);
    await deltas.putDelta(prefixes.wordsDeltaPrefix, built.words);
    await runs.createCompactionRun(
      newCompactionRun({ ...key, ...prefixes, createdAt: toTimestamp(clock.now()) }),
    );
    return key;
  };
  return { clock, runs, labels, merchantRecords, deltas, snapshots, embedder, upload };
}
