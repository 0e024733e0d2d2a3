import type { ReceiptWordLabel } from '../domain/word-label.js';
import type { EmbeddingSnapshotStore } from '../ports/embedding-store.js';
import { type LabelVectorFields, labelVectorFields } from './label-vector-fields.js';
import { ReceiptNotMergedError } from './receipt-not-merged-error.js';
import { type WordRef, wordVectorId } from './vector-ids.js';

/**
 * For a RECEIPT_WORD_LABEL INSERT or MODIFY: recomputes the word vector's label fields from the word's labels as
 * they are now (as LabelRepository.getWordLabels returns them; labels of other words, should `labels` hold the
 * whole receipt's, are ignored) and sets them. Computed from the whole current state, not from the record, so
 * records applied twice or out of order leave the same fields. Throws ReceiptNotMergedError when the word vector
 * is not in the snapshot yet, so the record is retried rather than lost.
 */
export async function refreshWordLabelFields(
  deps: { readonly snapshots: EmbeddingSnapshotStore },
  word: WordRef,
  labels: readonly ReceiptWordLabel[],
): Promise<LabelVectorFields> {
  const id = wordVectorId(word);
  const fields = labelVectorFields(labels.filter((label) => wordVectorId(label) === id));
  // Ids are zero-padded to a fixed width, so a whole word id is the prefix of that one vector only.
  const [patched] = await deps.snapshots.patch('words', [{ idPrefix: id, fields }]);
  if ((patched ?? 0) === 0) {
    throw new ReceiptNotMergedError({ imageId: word.imageId, receiptId: word.receiptId }, ['words']);
  }
  return fields;
}
