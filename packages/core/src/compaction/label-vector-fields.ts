import { isWordLabelName, WORD_LABELS } from '../domain/label-vocabulary.js';
import type { ReceiptWordLabel } from '../domain/word-label.js';
import type { VectorMetadataValue } from '../ports/embedding-store.js';

/** The word vector metadata fields that summarise the word's labels (refreshed on every label change). */
export const LABEL_VECTOR_FIELDS = ['label_status', 'validated_labels', 'invalid_labels'] as const;

export type LabelVectorFields = Record<(typeof LABEL_VECTOR_FIELDS)[number], VectorMetadataValue>;

export type WordLabelStatus = 'validated' | 'auto_suggested' | 'unvalidated';

/**
 * `label_status` (`validated` if any label is VALID, else `auto_suggested` if any is PENDING, else
 * `unvalidated`) and the comma-wrapped lists of VALID and INVALID labels, for the labels of one word.
 */
export function labelVectorFields(labels: readonly ReceiptWordLabel[]): LabelVectorFields {
  const statuses = new Set(labels.map((label) => label.validationStatus));
  const status: WordLabelStatus = statuses.has('VALID')
    ? 'validated'
    : statuses.has('PENDING')
      ? 'auto_suggested'
      : 'unvalidated';
  return {
    label_status: status,
    validated_labels: commaWrapped(labels.filter((l) => l.validationStatus === 'VALID').map((l) => l.label)),
    invalid_labels: commaWrapped(labels.filter((l) => l.validationStatus === 'INVALID').map((l) => l.label)),
  };
}

/**
 * `,TAX,GRAND_TOTAL,`: every name wrapped in commas, so `contains ",TAX,"` finds exactly TAX (never
 * SUBTOTAL or TAX_ID). Names are distinct, the vocabulary's in its order, then any others (legacy names) sorted,
 * so the same labels always give the same string. An empty list is `,`: still comma-wrapped (starts and ends
 * with a comma, matches no name) and never an empty string, which some vector stores refuse or treat as missing.
 */
export function commaWrapped(names: readonly string[]): string {
  const others = [...new Set(names.filter((name) => !isWordLabelName(name)))].sort();
  const ordered = [...WORD_LABELS.filter((name) => names.includes(name)), ...others];
  return ordered.length === 0 ? ',' : `,${ordered.join(',')},`;
}
