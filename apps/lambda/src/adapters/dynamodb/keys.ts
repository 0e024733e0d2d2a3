import type { CompactionRunKey, ReceiptRef, ReceiptWordLabel } from '@receipt-gate/core';
import { InvalidValueError, pad5 } from '@receipt-gate/core';
import { type Item, s } from './attribute-values.js';

// Key formats of the shared table (the current format: RECEIPT_PLACE, GSI4). Numbers inside keys are zero-padded
// to 5 digits, so a prefix of receipt 1 (`RECEIPT#00001#`) never matches receipt 10 (`RECEIPT#00010#`).

/** GSI1PK of a label: `LABEL#{LABEL}` right-padded with `_` to this length. */
export const LABEL_GSI1PK_LENGTH = 40;
/** A label longer than this gets no GSI1 (`LABEL#` and the padding would not fit the 40 characters). */
export const LABEL_GSI1_MAX_LENGTH = 34;

export function imagePk(imageId: string): string {
  return `IMAGE#${imageId}`;
}

function receiptPart(receiptId: number): string {
  return `RECEIPT#${pad5(receiptId)}`;
}

function linePart(receiptId: number, lineId: number): string {
  return `${receiptPart(receiptId)}#LINE#${pad5(lineId)}`;
}

function wordPart(receiptId: number, lineId: number, wordId: number): string {
  return `${linePart(receiptId, lineId)}#WORD#${pad5(wordId)}`;
}

export function primaryKey(pk: string, sk: string): Item {
  return { PK: s(pk), SK: s(sk) };
}

export function compactionRunKey(key: CompactionRunKey): Item {
  return primaryKey(imagePk(key.imageId), `${receiptPart(key.receiptId)}#COMPACTION_RUN#${key.runId}`);
}

export function lineSk(receipt: ReceiptRef, lineId: number): string {
  return linePart(receipt.receiptId, lineId);
}

export function wordSk(receipt: ReceiptRef, lineId: number, wordId: number): string {
  return wordPart(receipt.receiptId, lineId, wordId);
}

export function labelSk(label: Pick<ReceiptWordLabel, 'receiptId' | 'lineId' | 'wordId' | 'label'>): string {
  return `${wordPart(label.receiptId, label.lineId, label.wordId)}#LABEL#${label.label}`;
}

export function labelKey(
  label: Pick<ReceiptWordLabel, 'imageId' | 'receiptId' | 'lineId' | 'wordId' | 'label'>,
): Item {
  return primaryKey(imagePk(label.imageId), labelSk(label));
}

export function metadataKey(receipt: ReceiptRef): Item {
  return primaryKey(imagePk(receipt.imageId), `${receiptPart(receipt.receiptId)}#METADATA`);
}

export function placeKey(receipt: ReceiptRef): Item {
  return primaryKey(imagePk(receipt.imageId), `${receiptPart(receipt.receiptId)}#PLACE`);
}

export function summaryKey(receipt: ReceiptRef): Item {
  return primaryKey(imagePk(receipt.imageId), `${receiptPart(receipt.receiptId)}#SUMMARY`);
}

/**
 * GSI4, the index of one receipt's details (`get_receipt_details`): every item of the receipt under
 * `IMAGE#{id}#RECEIPT#{r}`, sorted by a kind prefix (`1_PLACE`, `2_LINE#{l}`, `3_WORD#{l}#{w}`,
 * `4_LABEL#{l}#{w}#{LABEL}`).
 */
export function gsi4(receipt: ReceiptRef, sortKey: string): Item {
  return { GSI4PK: s(imageReceipt(receipt)), GSI4SK: s(sortKey) };
}

export function lineGsi4sk(lineId: number): string {
  return `2_LINE#${pad5(lineId)}`;
}

export function wordGsi4sk(lineId: number, wordId: number): string {
  return `3_WORD#${pad5(lineId)}#${pad5(wordId)}`;
}

export function labelGsi4sk(label: Pick<ReceiptWordLabel, 'lineId' | 'wordId' | 'label'>): string {
  return `4_LABEL#${pad5(label.lineId)}#${pad5(label.wordId)}#${label.label}`;
}

export const PLACE_GSI4SK = '1_PLACE';

/** The SK prefix shared by every line, word, letter and label of one receipt. */
export function receiptLinesPrefix(receipt: ReceiptRef): string {
  return `${receiptPart(receipt.receiptId)}#LINE#`;
}

/** `IMAGE#{id}#RECEIPT#{r}`: the receipt part of several GSI keys. */
export function imageReceipt(receipt: ReceiptRef): string {
  return `IMAGE#${receipt.imageId}#${receiptPart(receipt.receiptId)}`;
}

/** `IMAGE#{id}#RECEIPT#{r}#LINE#{l}`: the GSI sort key of a line. */
export function imageLine(receipt: ReceiptRef, lineId: number): string {
  return `IMAGE#${receipt.imageId}#${linePart(receipt.receiptId, lineId)}`;
}

/** `IMAGE#{id}#RECEIPT#{r}#LINE#{l}#WORD#{w}`: the GSI sort key of a word and of its labels. */
export function imageWord(receipt: ReceiptRef, lineId: number, wordId: number): string {
  return `IMAGE#${receipt.imageId}#${wordPart(receipt.receiptId, lineId, wordId)}`;
}

/** `LABEL#{LABEL}` right-padded with `_` to 40 characters; undefined for a label longer than 34. */
export function labelGsi1pk(label: string): string | undefined {
  return label.length > LABEL_GSI1_MAX_LENGTH ? undefined : `LABEL#${label}`.padEnd(LABEL_GSI1PK_LENGTH, '_');
}

/** The image id of a `IMAGE#{id}` partition key (left for the core parser to validate). */
export function imageIdOf(entity: string, item: Item): string {
  return /^IMAGE#(.+)$/.exec(item.PK?.S ?? '')?.[1] ?? invalidKey(entity, 'PK', 'IMAGE#{image_id}', item.PK);
}

/**
 * The receipt an item's key names, read leniently (ids as found, 0 when absent): to say which receipt an item that
 * cannot be read belongs to.
 */
export function receiptOfItem(item: Item): ReceiptRef {
  return {
    imageId: /^IMAGE#(.+)$/.exec(item.PK?.S ?? '')?.[1] ?? item.PK?.S ?? '',
    receiptId: Number(/^RECEIPT#(\d+)/.exec(item.SK?.S ?? '')?.[1] ?? 0),
  };
}

/**
 * The parts of a sort key matching `pattern` (whose groups are the ids, as strings); an item whose SK does not
 * fit its entity's format is refused with the expected shape.
 */
export function sortKeyParts(entity: string, item: Item, pattern: RegExp, shape: string): string[] {
  const match = pattern.exec(item.SK?.S ?? '');
  return match ? match.slice(1) : invalidKey(entity, 'SK', shape, item.SK);
}

function invalidKey(entity: string, key: string, shape: string, value: unknown): never {
  throw new InvalidValueError(`${entity}.${key}`, `expected ${shape}, got ${JSON.stringify(value)}`);
}
