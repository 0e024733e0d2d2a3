import {
  type LabelValidationStatus,
  parseLabelValidationStatus,
  parseReceiptRef,
  parseStoredWordLabel,
  type ReceiptWordLabel,
  type WordRef,
} from '@receipt-gate/core';
import { fromAttributeValue, type Item, optionalS, s } from './attribute-values.js';
import {
  gsi4,
  imageIdOf,
  imageWord,
  labelGsi1pk,
  labelGsi4sk,
  labelKey,
  labelSk,
  sortKeyParts,
} from './keys.js';

export const WORD_LABEL_TYPE = 'RECEIPT_WORD_LABEL';

const SK_PATTERN = /^RECEIPT#(\d+)#LINE#(\d+)#WORD#(\d+)#LABEL#(.+)$/;
const SK_SHAPE = 'RECEIPT#{r:05d}#LINE#{l:05d}#WORD#{w:05d}#LABEL#{LABEL}';

/**
 * The item of a label. The label name lives in the key only (no `label` attribute: the existing services write
 * none); GSI1 is left out for a name too long for its padded key, as the existing services do.
 */
export function toWordLabelItem(label: ReceiptWordLabel): Item {
  const word = imageWord(label, label.lineId, label.wordId);
  const gsi1pk = labelGsi1pk(label.label);
  return {
    ...labelKey(label),
    ...(gsi1pk === undefined ? {} : { GSI1PK: s(gsi1pk), GSI1SK: s(word) }),
    GSI2PK: s('RECEIPT'),
    GSI2SK: s(word),
    GSI3PK: s(`VALIDATION_STATUS#${label.validationStatus}`),
    GSI3SK: s(`IMAGE#${label.imageId}#${labelSk(label)}`),
    ...gsi4(label, labelGsi4sk(label)),
    TYPE: s(WORD_LABEL_TYPE),
    reasoning: optionalS(label.reasoning),
    timestamp_added: s(label.timestampAdded),
    validation_status: s(label.validationStatus),
    label_proposed_by: optionalS(label.labelProposedBy),
    label_consolidated_from: optionalS(label.labelConsolidatedFrom),
  };
}

/**
 * A label from its item: ids and the label name (any name, verbatim) from the key, the rest from the attributes.
 * Throws InvalidValueError for an item that does not fit the format.
 */
export function fromWordLabelItem(item: Item): ReceiptWordLabel {
  const { label, ...word } = labelIdentityOf(item);
  const field = (name: string) => fromAttributeValue(item[name]);
  return parseStoredWordLabel({
    ...word,
    label,
    reasoning: field('reasoning'),
    timestampAdded: field('timestamp_added'),
    validationStatus: labelStatusOf(item),
    labelProposedBy: field('label_proposed_by'),
    labelConsolidatedFrom: field('label_consolidated_from'),
  });
}

/** The word and label name an item's key names, whatever its attributes hold. */
export function labelIdentityOf(item: Item): WordRef & { readonly label: string } {
  const [receiptId, lineId, wordId, label = ''] = sortKeyParts(WORD_LABEL_TYPE, item, SK_PATTERN, SK_SHAPE);
  return {
    ...parseReceiptRef({ imageId: imageIdOf(WORD_LABEL_TYPE, item), receiptId: Number(receiptId) }),
    lineId: Number(lineId),
    wordId: Number(wordId),
    label,
  };
}

/** The status of a label item; missing or NULL reads as NONE, as the Python services read it. */
export function labelStatusOf(item: Item): LabelValidationStatus {
  const status = fromAttributeValue(item.validation_status) ?? 'NONE';
  return parseLabelValidationStatus(`${WORD_LABEL_TYPE}.validation_status`, status);
}
