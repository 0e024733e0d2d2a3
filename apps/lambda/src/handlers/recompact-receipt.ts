import {
  buildEmbeddingDeltas,
  type Clock,
  type CompactionRunKey,
  deltaPrefixes,
  type Embedder,
  type EmbeddingDeltaStore,
  newCompactionRun,
  type ReceiptVersionStore,
  type StoredReceipt,
  toTimestamp,
} from '@receipt-gate/core';

export interface RecompactReceiptDeps {
  readonly versions: ReceiptVersionStore;
  readonly deltas: EmbeddingDeltaStore;
  readonly embedder: Embedder;
  readonly clock: Clock;
}

/** The receipt holds no line and no word: there is nothing to compact. */
export class NothingToRecompactError extends Error {
  override readonly name = 'NothingToRecompactError';
}

/**
 * A new compaction run of a receipt, from what the table holds (its lines, words and merchant record), written as
 * an upload writes one: under the receipt's lease, so it neither reads nor writes in the middle of an upload that
 * replaces the receipt (its run would carry the old content). The deltas come first, then the COMPACTION_RUN whose
 * INSERT starts the compactor, so no run points at a missing delta. Waits for the lease until `waitUntil` (epoch
 * ms), then TransientStoreError. Returns what the run was built from.
 */
export async function recompactReceipt(
  deps: RecompactReceiptDeps,
  run: CompactionRunKey,
  options: { readonly waitUntil: number },
): Promise<StoredReceipt> {
  const { imageId, receiptId } = run;
  const lease = await deps.versions.lease({ imageId, receiptId }, { waitUntil: options.waitUntil });
  try {
    const { stored } = lease;
    if (stored.lines.length === 0 && stored.words.length === 0) {
      throw new NothingToRecompactError(`receipt ${imageId}/${receiptId} has no lines or words in the table`);
    }
    const prefixes = deltaPrefixes(run);
    const vectors = await buildEmbeddingDeltas(deps.embedder, {
      receipt: { imageId, receiptId },
      lines: stored.lines,
      words: stored.words,
      ...(stored.metadata && { metadata: stored.metadata }),
    });
    await Promise.all([
      deps.deltas.putDelta(prefixes.linesDeltaPrefix, vectors.lines),
      deps.deltas.putDelta(prefixes.wordsDeltaPrefix, vectors.words),
    ]);
    await lease.writeRun(newCompactionRun({ ...run, ...prefixes, createdAt: toTimestamp(deps.clock.now()) }));
    return stored;
  } finally {
    await lease.release();
  }
}
