import { COMPACTION_COLLECTIONS, type CompactionCollection } from '../domain/compaction-state.js';
import { MERCHANT_SNAPSHOT_FIELDS, type MerchantRecord } from '../domain/merchant-record.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import type { EmbeddingSnapshotStore } from '../ports/embedding-store.js';
import { type MetadataVectorFields, metadataVectorFields } from './metadata-vector-fields.js';
import { ReceiptNotMergedError } from './receipt-not-merged-error.js';
import { receiptVectorPrefix } from './vector-ids.js';

/** A merchant record MODIFY: the record before and after the change. */
export interface MetadataModification {
  /** Undefined when the old record could not be read: every field then counts as changed. */
  readonly before: MerchantRecord | undefined;
  readonly after: MerchantRecord;
}

export type MetadataSnapshotUpdate =
  /** No field the snapshots carry changed: nothing to do. */
  | { readonly applied: false }
  | {
      readonly applied: true;
      readonly fields: MetadataVectorFields;
      /** Vectors patched per collection, all > 0. */
      readonly patched: Readonly<Record<CompactionCollection, number>>;
    };

/**
 * The second compaction: when a field the snapshots carry changed, sets the new values on every vector of the
 * receipt in both snapshots. Throws ReceiptNotMergedError when a snapshot has no vector of the receipt yet (the
 * update would be lost; the record must be retried), after patching whatever the other snapshot had: patches
 * are idempotent, so the retry simply sets the same values again.
 */
export async function applyMetadataToSnapshots(
  deps: { readonly snapshots: EmbeddingSnapshotStore },
  change: MetadataModification,
): Promise<MetadataSnapshotUpdate> {
  const { before, after } = change;
  if (before && (before.imageId !== after.imageId || before.receiptId !== after.receiptId)) {
    throw new InvalidValueError(
      'merchant record',
      `before and after name different receipts (${before.imageId}/${before.receiptId}, ${after.imageId}/${after.receiptId})`,
    );
  }
  if (before && MERCHANT_SNAPSHOT_FIELDS.every((field) => before[field] === after[field])) {
    return { applied: false };
  }

  const fields = metadataVectorFields(after);
  const prefix = receiptVectorPrefix(after);
  const settled = await Promise.allSettled(
    COMPACTION_COLLECTIONS.map((collection) =>
      deps.snapshots.patch(collection, [{ idPrefix: prefix, fields }]),
    ),
  );
  const [lines, words] = settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value[0] ?? 0;
  }) as [number, number];
  const missing = COMPACTION_COLLECTIONS.filter((_, i) => [lines, words][i] === 0);
  if (missing.length > 0) throw new ReceiptNotMergedError(after, missing);
  return { applied: true, fields, patched: { lines, words } };
}
