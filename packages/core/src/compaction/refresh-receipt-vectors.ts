import type { CompactionCollection } from '../domain/compaction-state.js';
import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { EmbeddingSnapshotStore, VectorFields } from '../ports/embedding-store.js';
import {
  type ReceiptStatePart,
  type ReceiptStateSource,
  readReceiptVectorState,
  stateFields,
} from './receipt-vector-state.js';
import { receiptVectorPrefix } from './vector-ids.js';

export interface RefreshReceiptDeps extends ReceiptStateSource {
  readonly snapshots: EmbeddingSnapshotStore;
}

/** The collections whose vectors carry a part of the state: merchant fields are on all, label fields on words. */
export function collectionsOf(parts: ReadonlySet<ReceiptStatePart>): CompactionCollection[] {
  return parts.has('merchant') ? ['lines', 'words'] : parts.has('labels') ? ['words'] : [];
}

/**
 * Sets the given parts of the table's current state (merchant record, labels) on every vector of the receipt in
 * the collections that carry them, each collection as one compare-and-set refresh: the state is read after the
 * vectors, and read again if another write touched them meanwhile, so racing refreshes never leave an older
 * state behind. Returns how many vectors each collection holds for the receipt; 0 means its delta is not merged
 * (yet, or its merge FAILED): the next merge, which builds the vectors from the current state, carries the change.
 */
export async function refreshReceiptVectors(
  deps: RefreshReceiptDeps,
  receipt: ReceiptRef,
  parts: ReadonlySet<ReceiptStatePart>,
  collections: readonly CompactionCollection[] = collectionsOf(parts),
): Promise<Partial<Record<CompactionCollection, number>>> {
  const prefix = receiptVectorPrefix(receipt);
  const settled = await Promise.allSettled(
    collections.map(async (collection) => {
      // Lines carry no label fields: their refresh reads only what they carry.
      const wanted = new Set([...parts].filter((part) => collection === 'words' || part === 'merchant'));
      if (wanted.size === 0) return [collection, undefined] as const;
      const found = await deps.snapshots.refresh(collection, prefix, async (vectors) => {
        const state = await readReceiptVectorState(deps, receipt, wanted);
        return new Map<string, VectorFields>(
          vectors.map((vector) => [vector.id, stateFields(state, vector.id, collection === 'words')]),
        );
      });
      return [collection, found] as const;
    }),
  );
  const counts: Partial<Record<CompactionCollection, number>> = {};
  for (const result of settled) {
    if (result.status === 'rejected') throw result.reason;
    const [collection, found] = result.value;
    if (found !== undefined) counts[collection] = found;
  }
  return counts;
}
