import { timestampToEpochMs } from '../domain/timestamps.js';
import type { ReceiptWordLabel } from '../domain/word-label.js';

/**
 * The word vector metadata fields that summarise the word's labels (refreshed on every label change), named and
 * valued as the existing services write them (data-model-current.md, section 7).
 */
export const LABEL_VECTOR_FIELDS = [
  'label_status',
  'label_proposed_by',
  'valid_labels_array',
  'invalid_labels_array',
] as const;

export type WordLabelStatus = 'validated' | 'auto_suggested' | 'invalidated' | 'unvalidated';

// A type alias, not an interface: it must fit Record<string, VectorMetadataValue> (a patch's fields).
export type LabelVectorFields = {
  readonly label_status: WordLabelStatus;
  /** Who proposed the latest PENDING label; "" when none is pending (vector metadata has no null). */
  readonly label_proposed_by: string;
  /** The VALID labels' names, sorted and distinct. */
  readonly valid_labels_array: readonly string[];
  /** The INVALID labels' names that are not also VALID, sorted and distinct. */
  readonly invalid_labels_array: readonly string[];
};

/**
 * The label fields of one word's vector, from all of its labels as they are now, so applying them twice or out
 * of order gives the same fields. `label_status` is `validated` if any label is VALID, else `auto_suggested` if
 * any is PENDING, else `invalidated` if any is INVALID, else `unvalidated` (no labels, or only NONE and
 * NEEDS_REVIEW ones). Empty lists stay lists: a store that cannot hold an empty list must not get this format.
 */
export function labelVectorFields(labels: readonly ReceiptWordLabel[]): LabelVectorFields {
  const named = (status: ReceiptWordLabel['validationStatus']) =>
    new Set(labels.filter((label) => label.validationStatus === status).map((label) => label.label));
  const valid = named('VALID');
  const invalid = [...named('INVALID')].filter((name) => !valid.has(name));
  const pending = labels.filter((label) => label.validationStatus === 'PENDING');
  const status: WordLabelStatus =
    valid.size > 0
      ? 'validated'
      : pending.length > 0
        ? 'auto_suggested'
        : invalid.length > 0
          ? 'invalidated'
          : 'unvalidated';
  return {
    label_status: status,
    label_proposed_by: latest(pending)?.labelProposedBy ?? '',
    valid_labels_array: [...valid].sort(byCodeUnit),
    invalid_labels_array: invalid.sort(byCodeUnit),
  };
}

// The latest by the time it was added; equal times by label name, so the result never depends on list order.
function latest(labels: readonly ReceiptWordLabel[]): ReceiptWordLabel | undefined {
  // By instant: labels carry any ISO-8601 form (offsets, naive as UTC), which Date.parse would misread.
  const at = (label: ReceiptWordLabel) => timestampToEpochMs(label.timestampAdded);
  return [...labels].sort((a, b) => at(a) - at(b) || byCodeUnit(a.label, b.label)).at(-1);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
