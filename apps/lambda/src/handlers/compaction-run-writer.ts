import {
  buildEmbeddingDeltas,
  type Clock,
  type CompactionRunKey,
  type CompactionRunRepository,
  deltaPrefixes,
  type Embedder,
  type EmbeddingDeltaStore,
  type MerchantRecord,
  newCompactionRun,
  type ReceiptLine,
  type ReceiptWord,
  toTimestamp,
} from '@receipt-gate/core';

export interface CompactionRunWriterDeps {
  readonly runs: CompactionRunRepository;
  readonly deltas: EmbeddingDeltaStore;
  readonly embedder: Embedder;
  readonly clock: Clock;
}

/** What a run's deltas are built from: the receipt's lines and words, and its merchant record if it has one. */
export interface CompactionRunContent {
  readonly lines: readonly ReceiptLine[];
  readonly words: readonly ReceiptWord[];
  readonly metadata?: MerchantRecord;
}

/**
 * Embeds a receipt's lines and words into the two deltas of `run`, then creates the COMPACTION_RUN whose INSERT
 * starts the compactor (unless that run exists). The deltas come first, so no run ever points at a missing delta.
 * Shared by the upload and by the operator's recompaction, so both write the same deltas and run.
 */
export async function writeCompactionRun(
  deps: CompactionRunWriterDeps,
  run: CompactionRunKey,
  content: CompactionRunContent,
): Promise<void> {
  const { imageId, receiptId } = run;
  const prefixes = deltaPrefixes(run);
  const vectors = await buildEmbeddingDeltas(deps.embedder, {
    receipt: { imageId, receiptId },
    lines: content.lines,
    words: content.words,
    ...(content.metadata && { metadata: content.metadata }),
  });
  await Promise.all([
    deps.deltas.putDelta(prefixes.linesDeltaPrefix, vectors.lines),
    deps.deltas.putDelta(prefixes.wordsDeltaPrefix, vectors.words),
  ]);
  if (!(await deps.runs.getCompactionRun(run))) {
    await deps.runs.createCompactionRun(
      newCompactionRun({ ...run, ...prefixes, createdAt: toTimestamp(deps.clock.now()) }),
    );
  }
}
