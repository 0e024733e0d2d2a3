import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { ReceiptWordLabel } from '../domain/word-label.js';
import type { VectorFields } from '../ports/embedding-store.js';
import type { LabelRepository } from '../ports/label-repository.js';
import type { MerchantRecordRepository } from '../ports/merchant-record-repository.js';
import { type LabelVectorFields, labelVectorFields } from './label-vector-fields.js';
import { type MetadataVectorFields, metadataVectorFields } from './metadata-vector-fields.js';
import { wordVectorId } from './vector-ids.js';

/** Where a receipt's vectors take their merchant and label fields from: the table, read strongly consistent. */
export interface ReceiptStateSource {
  readonly labels: Pick<LabelRepository, 'getLabels'>;
  readonly merchantRecords: Pick<MerchantRecordRepository, 'getMerchantRecord'>;
}

/** The parts of a receipt's vector fields that follow the table: its merchant record, and its word labels. */
export type ReceiptStatePart = 'merchant' | 'labels';

/** The fields a receipt's vectors carry from the table, as read at one moment (only the parts asked for). */
export interface ReceiptVectorState {
  readonly merchant?: MetadataVectorFields;
  /** Label fields by word vector id, for the words that have labels. */
  readonly labels?: ReadonlyMap<string, LabelVectorFields>;
}

const UNLABELLED = labelVectorFields([]);

/** Reads the receipt's merchant record and labels (each only if asked for), strongly consistent, concurrently. */
export async function readReceiptVectorState(
  source: ReceiptStateSource,
  receipt: ReceiptRef,
  parts: ReadonlySet<ReceiptStatePart> = new Set(['merchant', 'labels']),
): Promise<ReceiptVectorState> {
  const [record, labels] = await Promise.all([
    parts.has('merchant') ? source.merchantRecords.getMerchantRecord(receipt) : undefined,
    parts.has('labels') ? source.labels.getLabels(receipt) : undefined,
  ]);
  return {
    ...(parts.has('merchant') && { merchant: metadataVectorFields(record) }),
    ...(labels && { labels: labelFieldsByWord(labels) }),
  };
}

function labelFieldsByWord(labels: readonly ReceiptWordLabel[]): Map<string, LabelVectorFields> {
  const byWord = new Map<string, ReceiptWordLabel[]>();
  for (const label of labels) {
    const id = wordVectorId(label);
    byWord.set(id, [...(byWord.get(id) ?? []), label]);
  }
  return new Map([...byWord].map(([id, own]) => [id, labelVectorFields(own)]));
}

/**
 * The fields the state gives one vector: the merchant fields on every vector, the label fields on word vectors
 * (a word without labels gets those of no label). Parts the state was not read for are left out.
 */
export function stateFields(state: ReceiptVectorState, vectorId: string, isWord: boolean): VectorFields {
  return {
    ...state.merchant,
    ...(isWord && state.labels && (state.labels.get(vectorId) ?? UNLABELLED)),
  };
}

/** Whether two reads of a receipt's state give every vector the same fields. */
export function sameVectorState(a: ReceiptVectorState, b: ReceiptVectorState): boolean {
  const labels = (state: ReceiptVectorState) =>
    state.labels && [...state.labels].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify([a.merchant, labels(a)]) === JSON.stringify([b.merchant, labels(b)]);
}
