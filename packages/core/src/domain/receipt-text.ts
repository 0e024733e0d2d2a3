import { InvalidValueError } from '../errors/invalid-value-error.js';
import { type GeometryStrictness, parseGeometry, type TextGeometry } from './geometry.js';
import { describeValue, parseKeyNumber, parseOneOf } from './ids.js';
import { parseReceiptRef, type ReceiptRef } from './receipt-ref.js';
import { parseVisibleText } from './visible-text.js';

export const EMBEDDING_STATUSES = ['NONE', 'PENDING', 'SUCCESS', 'FAILED', 'NOISE'] as const;
export type EmbeddingStatus = (typeof EMBEDDING_STATUSES)[number];

/** One OCR line of a receipt (RECEIPT_LINE). */
export interface ReceiptLine extends ReceiptRef, TextGeometry {
  readonly lineId: number;
  readonly text: string;
  readonly embeddingStatus: EmbeddingStatus;
  readonly isNoise: boolean;
}

/** One OCR word of a receipt line (RECEIPT_WORD). */
export interface ReceiptWord extends ReceiptLine {
  readonly wordId: number;
  /** What was extracted from the word (`{type: 'price', value: '4.50'}`): string values only. */
  readonly extractedData?: Readonly<Record<string, string>>;
}

type Input<T> = { [K in keyof T]?: unknown };

/**
 * Validates a line to be written: text that shows something (not only spaces, control or zero-width characters),
 * geometry normalised to the receipt (see GEOMETRY_TOLERANCE) and a confidence in (0, 1].
 */
export function parseReceiptLine(input: Input<ReceiptLine>): ReceiptLine {
  return parseText('RECEIPT_LINE', input, 'new');
}

/** Reads a stored line as the existing services do: any text and any finite coordinates. */
export function parseStoredReceiptLine(input: Input<ReceiptLine>): ReceiptLine {
  return parseText('RECEIPT_LINE', input, 'stored');
}

/**
 * Validates a word to be written, as `parseReceiptLine` a line. `extracted_data` is a map of strings: the existing
 * services cannot read a word with any other value in it, so one is refused with the word named.
 */
export function parseReceiptWord(input: Input<ReceiptWord>): ReceiptWord {
  return parseWord(input, 'new');
}

/** Reads a stored word as the existing services do (any text and finite coordinates; extracted data as above). */
export function parseStoredReceiptWord(input: Input<ReceiptWord>): ReceiptWord {
  return parseWord(input, 'stored');
}

function parseWord(input: Input<ReceiptWord>, strictness: GeometryStrictness): ReceiptWord {
  const text = parseText('RECEIPT_WORD', input, strictness);
  const word = { ...text, wordId: parseKeyNumber('RECEIPT_WORD.word_id', input.wordId, 0) };
  const extracted = input.extractedData;
  if (extracted === undefined || extracted === null) return word;
  const where = `word ${word.lineId}/${word.wordId} (${describeValue(word.text)})`;
  if (typeof extracted !== 'object' || Array.isArray(extracted)) {
    throw new InvalidValueError(
      'RECEIPT_WORD.extracted_data',
      `${where}: expected a map of strings or null, got ${describeValue(extracted)}`,
    );
  }
  for (const [key, value] of Object.entries(extracted)) {
    if (typeof value !== 'string') {
      throw new InvalidValueError(
        `RECEIPT_WORD.extracted_data.${key}`,
        `${where}: expected a string, got ${Array.isArray(value) ? 'a list' : describeValue(value)}`,
      );
    }
  }
  return { ...word, extractedData: extracted as Readonly<Record<string, string>> };
}

function parseText(entity: string, input: Input<ReceiptLine>, strictness: GeometryStrictness): ReceiptLine {
  if (strictness === 'new') parseVisibleText(`${entity}.text`, input.text);
  if (typeof input.text !== 'string') {
    throw new InvalidValueError(`${entity}.text`, `expected a string, got ${describeValue(input.text)}`);
  }
  if (input.isNoise !== undefined && typeof input.isNoise !== 'boolean') {
    throw new InvalidValueError(
      `${entity}.is_noise`,
      `expected a boolean, got ${describeValue(input.isNoise)}`,
    );
  }
  return {
    ...parseReceiptRef(input as { imageId: unknown; receiptId: unknown }),
    lineId: parseKeyNumber(`${entity}.line_id`, input.lineId, 0),
    text: input.text,
    ...parseGeometry(entity, input, strictness),
    embeddingStatus: parseOneOf(
      `${entity}.embedding_status`,
      EMBEDDING_STATUSES,
      input.embeddingStatus ?? 'NONE',
    ),
    isNoise: input.isNoise ?? false,
  };
}

/**
 * Whether two lines (or two words) hold the same OCR content: text, geometry, confidence and the noise flag. The
 * embedding status and a word's extracted data are not content: other services fill them in (the status moves on
 * as they embed the receipt), and an upload of the same OCR content must not undo their work.
 */
export function sameTextContent(a: ReceiptLine | ReceiptWord, b: ReceiptLine | ReceiptWord): boolean {
  return textContentKey(a) === textContentKey(b);
}

/** A string that is the same for two lines (or words) exactly when `sameTextContent` holds. */
export function textContentKey(text: ReceiptLine | ReceiptWord): string {
  const { boundingBox, topLeft, topRight, bottomLeft, bottomRight, ...rest } = text;
  const point = (p: { x: number; y: number }) => [p.x, p.y];
  return JSON.stringify([
    rest.imageId,
    rest.receiptId,
    rest.lineId,
    'wordId' in text ? text.wordId : null,
    rest.text,
    [boundingBox.x, boundingBox.y, boundingBox.width, boundingBox.height],
    [topLeft, topRight, bottomLeft, bottomRight].map(point),
    rest.angleDegrees,
    rest.angleRadians,
    rest.confidence,
    rest.isNoise,
  ]);
}
