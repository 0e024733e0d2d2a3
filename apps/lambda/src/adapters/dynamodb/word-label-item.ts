import {
  type LabelValidationStatus,
  parseLabelValidationStatus,
  parseWordLabel,
  type ReceiptWordLabel,
} from '@receipt-gate/core';
import { fromAttributeValue, type Item, optionalS, s } from './attribute-values.js';
import { imageIdOf, imageWord, labelGsi1pk, labelKey, labelSk, sortKeyParts } from './keys.js';

export const WORD_LABEL_TYPE = 'RECEIPT_WORD_LABEL';

const SK_PATTERN = /^RECEIPT#(\d+)#LINE#(\d+)#WORD#(\d+)#LABEL#(.+)$/;

export function toWordLabelItem(label: ReceiptWordLabel): Item {
  const word = imageWord(label, label.lineId, label.wordId);
  return {
    ...labelKey(label),
    GSI1PK: s(labelGsi1pk(label.label)),
    GSI1SK: s(word),
    GSI2PK: s('RECEIPT'),
    GSI2SK: s(word),
    GSI3PK: s(`VALIDATION_STATUS#${label.validationStatus}`),
    GSI3SK: s(`IMAGE#${label.imageId}#${labelSk(label)}`),
    TYPE: s(WORD_LABEL_TYPE),
    label: s(label.label),
    reasoning: optionalS(label.reasoning),
    timestamp_added: s(label.timestampAdded),
    validation_status: s(label.validationStatus),
    label_proposed_by: optionalS(label.labelProposedBy),
    label_consolidated_from: optionalS(label.labelConsolidatedFrom),
  };
}

/** A label from its item. The ids and the label name come from the SK (the Python services write no `label`). */
export function fromWordLabelItem(item: Item): ReceiptWordLabel {
  const [receiptId, lineId, wordId, label] = sortKeyParts(
    WORD_LABEL_TYPE,
    item,
    SK_PATTERN,
    'RECEIPT#{r:05d}#LINE#{l:05d}#WORD#{w:05d}#LABEL#{LABEL}',
  );
  const field = (name: string) => fromAttributeValue(item[name]);
  return parseWordLabel({
    imageId: imageIdOf(WORD_LABEL_TYPE, item),
    receiptId: Number(receiptId),
    lineId: Number(lineId),
    wordId: Number(wordId),
    label,
    reasoning: field('reasoning'),
    timestampAdded: field('timestamp_added'),
    validationStatus: labelStatusOf(item),
    labelProposedBy: field('label_proposed_by'),
    labelConsolidatedFrom: field('label_consolidated_from'),
  });
}

/** The status of a label item; missing or NULL reads as NONE, as the Python services read it. */
export function labelStatusOf(item: Item): LabelValidationStatus {
  const status = fromAttributeValue(item.validation_status) ?? 'NONE';
  return parseLabelValidationStatus(`${WORD_LABEL_TYPE}.validation_status`, status);
}
