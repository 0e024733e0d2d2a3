import {
  type Point,
  parseStoredReceiptLine,
  parseStoredReceiptWord,
  type ReceiptLine,
  type ReceiptWord,
  type TextGeometry,
} from '@receipt-gate/core';
import { bool, fromAttributeValue, type Item, m, NULL, s } from './attribute-values.js';
import {
  gsi4,
  imageIdOf,
  imageLine,
  imagePk,
  imageReceipt,
  imageWord,
  lineGsi4sk,
  lineSk,
  primaryKey,
  sortKeyParts,
  wordGsi4sk,
  wordSk,
} from './keys.js';
import { fixedHalfUp, trimDecimal } from './number-format.js';

export const RECEIPT_LINE_TYPE = 'RECEIPT_LINE';
export const RECEIPT_WORD_TYPE = 'RECEIPT_WORD';

const LINE_SK = /^RECEIPT#(\d+)#LINE#(\d+)$/;
const WORD_SK = /^RECEIPT#(\d+)#LINE#(\d+)#WORD#(\d+)$/;

export function lineKey(line: ReceiptLine): Item {
  return primaryKey(imagePk(line.imageId), lineSk(line, line.lineId));
}

export function wordKey(word: ReceiptWord): Item {
  return primaryKey(imagePk(word.imageId), wordSk(word, word.lineId, word.wordId));
}

export function toReceiptLineItem(line: ReceiptLine): Item {
  return {
    ...lineKey(line),
    GSI1PK: s(`EMBEDDING_STATUS#${line.embeddingStatus}`),
    GSI1SK: s(`LINE#${imageLine(line, line.lineId)}`),
    GSI3PK: s(imageReceipt(line)),
    GSI3SK: s('LINE'),
    ...gsi4(line, lineGsi4sk(line.lineId)),
    TYPE: s(RECEIPT_LINE_TYPE),
    ...textAttributes(line),
  };
}

export function toReceiptWordItem(word: ReceiptWord): Item {
  return {
    ...wordKey(word),
    GSI1PK: s(`EMBEDDING_STATUS#${word.embeddingStatus}`),
    GSI1SK: s(`WORD#${imageWord(word, word.lineId, word.wordId)}`),
    GSI2PK: s('RECEIPT'),
    GSI2SK: s(imageWord(word, word.lineId, word.wordId)),
    GSI3PK: s(imageReceipt(word)),
    GSI3SK: s('WORD'),
    ...gsi4(word, wordGsi4sk(word.lineId, word.wordId)),
    TYPE: s(RECEIPT_WORD_TYPE),
    ...textAttributes(word),
    extracted_data:
      word.extractedData === undefined
        ? NULL
        : m(Object.fromEntries(Object.entries(word.extractedData).map(([key, value]) => [key, s(value)]))),
  };
}

export function fromReceiptLineItem(item: Item): ReceiptLine {
  const [receiptId, lineId] = sortKeyParts(RECEIPT_LINE_TYPE, item, LINE_SK, 'RECEIPT#{r:05d}#LINE#{l:05d}');
  return parseStoredReceiptLine({
    imageId: imageIdOf(RECEIPT_LINE_TYPE, item),
    receiptId: Number(receiptId),
    lineId: Number(lineId),
    ...textFields(item),
  });
}

export function fromReceiptWordItem(item: Item): ReceiptWord {
  const [receiptId, lineId, wordId] = sortKeyParts(
    RECEIPT_WORD_TYPE,
    item,
    WORD_SK,
    'RECEIPT#{r:05d}#LINE#{l:05d}#WORD#{w:05d}',
  );
  return parseStoredReceiptWord({
    imageId: imageIdOf(RECEIPT_WORD_TYPE, item),
    receiptId: Number(receiptId),
    lineId: Number(lineId),
    wordId: Number(wordId),
    ...textFields(item),
    extractedData: fromAttributeValue(item.extracted_data),
  });
}

// The numbers as the existing services write them: coordinates with 20 decimals, angles with 18, confidence
// with 2, each rounded half-up on the shortest decimal string (so 0.9400000000000001 is stored as 0.94), and
// without trailing zeros, as DynamoDB stores them.
const rounded = (value: number, places: number) => ({ N: trimDecimal(fixedHalfUp(value, places)) });
const coordinate = (value: number) => rounded(value, 20);
const angle = (value: number) => rounded(value, 18);

function point(value: Point) {
  return m({ x: coordinate(value.x), y: coordinate(value.y) });
}

function textAttributes(text: ReceiptLine): Item {
  const box = text.boundingBox;
  return {
    text: s(text.text),
    bounding_box: m({
      x: coordinate(box.x),
      y: coordinate(box.y),
      width: coordinate(box.width),
      height: coordinate(box.height),
    }),
    top_left: point(text.topLeft),
    top_right: point(text.topRight),
    bottom_left: point(text.bottomLeft),
    bottom_right: point(text.bottomRight),
    angle_degrees: angle(text.angleDegrees),
    angle_radians: angle(text.angleRadians),
    confidence: rounded(text.confidence, 2),
    embedding_status: s(text.embeddingStatus),
    is_noise: bool(text.isNoise),
  };
}

// Plain values for the core parsers, NULL read as absent: a missing embedding_status or is_noise reads as
// NONE / false there, as older items have neither.
function textFields(item: Item): {
  [K in keyof TextGeometry | 'text' | 'embeddingStatus' | 'isNoise']: unknown;
} {
  const field = (name: string) => fromAttributeValue(item[name]) ?? undefined;
  return {
    text: field('text'),
    boundingBox: field('bounding_box'),
    topLeft: field('top_left'),
    topRight: field('top_right'),
    bottomLeft: field('bottom_left'),
    bottomRight: field('bottom_right'),
    angleDegrees: field('angle_degrees'),
    angleRadians: field('angle_radians'),
    confidence: field('confidence'),
    embeddingStatus: field('embedding_status'),
    isNoise: field('is_noise'),
  };
}
