import { InvalidValueError } from '../errors/invalid-value-error.js';
import { describeValue, parseKeyNumber, parseOptionalString } from './ids.js';
import { type LabelValidationStatus, parseLabelValidationStatus } from './label-validation-status.js';
import { parseWordLabelName } from './label-vocabulary.js';
import { withoutUndefined } from './optional.js';
import { parseReceiptRef, type ReceiptRef } from './receipt-ref.js';
import { parseTimestamp } from './timestamps.js';

/**
 * A label on one word of one receipt (RECEIPT_WORD_LABEL). The label is part of its identity. It is any label name
 * as stored (other services have written names outside the vocabulary, e.g. the legacy BUSINESS_NAME); the labels
 * we write are always of the vocabulary (`parseWordLabel`).
 */
export interface ReceiptWordLabel extends ReceiptRef {
  readonly lineId: number;
  readonly wordId: number;
  readonly label: string;
  readonly reasoning?: string;
  readonly timestampAdded: string;
  readonly validationStatus: LabelValidationStatus;
  readonly labelProposedBy?: string;
  readonly labelConsolidatedFrom?: string;
}

type WordLabelInput = { [K in keyof ReceiptWordLabel]?: unknown };

/**
 * Validates a label we write: its name is of the vocabulary (the existing services refuse to create any other).
 * Ids are all > 0: the existing services cannot read a label on receipt, line or word 0, so such a label is
 * refused here rather than written. A reasoning, when given, is a non-empty string.
 */
export function parseWordLabel(input: WordLabelInput): ReceiptWordLabel {
  return parseLabel(input, parseWordLabelName('RECEIPT_WORD_LABEL.label', input.label));
}

/**
 * Validates a label as stored by anyone: any non-empty label name reads, kept verbatim (`isWordLabelName` tells
 * the vocabulary's apart); every other rule is `parseWordLabel`'s.
 */
export function parseStoredWordLabel(input: WordLabelInput): ReceiptWordLabel {
  const label = input.label;
  if (typeof label !== 'string' || label.trim() === '') {
    throw new InvalidValueError(
      'RECEIPT_WORD_LABEL.label',
      `expected a non-empty label name, got ${describeValue(label)}`,
    );
  }
  return parseLabel(input, label);
}

function parseLabel(input: WordLabelInput, label: string): ReceiptWordLabel {
  const reasoning = input.reasoning;
  if (typeof reasoning === 'string' && reasoning.trim() === '') {
    throw new InvalidValueError(
      'RECEIPT_WORD_LABEL.reasoning',
      'must be a non-empty string or absent, got ""',
    );
  }
  return withoutUndefined({
    ...parseReceiptRef(input as { imageId: unknown; receiptId: unknown }),
    lineId: parseKeyNumber('RECEIPT_WORD_LABEL.line_id', input.lineId, 1),
    wordId: parseKeyNumber('RECEIPT_WORD_LABEL.word_id', input.wordId, 1),
    label,
    reasoning: parseOptionalString('RECEIPT_WORD_LABEL.reasoning', reasoning),
    timestampAdded: parseTimestamp('RECEIPT_WORD_LABEL.timestamp_added', input.timestampAdded),
    validationStatus: parseLabelValidationStatus(
      'RECEIPT_WORD_LABEL.validation_status',
      input.validationStatus,
    ),
    labelProposedBy: parseOptionalString('RECEIPT_WORD_LABEL.label_proposed_by', input.labelProposedBy),
    labelConsolidatedFrom: parseOptionalString(
      'RECEIPT_WORD_LABEL.label_consolidated_from',
      input.labelConsolidatedFrom,
    ),
  });
}

/** The identity of a label item: same word and same label name means the same item. */
export function wordLabelId(
  label: Pick<ReceiptWordLabel, 'imageId' | 'receiptId' | 'lineId' | 'wordId' | 'label'>,
) {
  return `${label.imageId}#${label.receiptId}#${label.lineId}#${label.wordId}#${label.label}`;
}

/** One label per item: the first of several proposals for the same word and label wins. */
export function distinctWordLabels(labels: readonly ReceiptWordLabel[]): ReceiptWordLabel[] {
  const byId = new Map<string, ReceiptWordLabel>();
  for (const label of labels) if (!byId.has(wordLabelId(label))) byId.set(wordLabelId(label), label);
  return [...byId.values()];
}

/** Orders labels by line, word, then label name (the order label items have in the table). */
export function compareWordLabels(a: ReceiptWordLabel, b: ReceiptWordLabel): number {
  if (a.lineId !== b.lineId) return a.lineId - b.lineId;
  if (a.wordId !== b.wordId) return a.wordId - b.wordId;
  return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
}
