import { InvalidValueError } from '../errors/invalid-value-error.js';
import { parseGeometry, type TextGeometry } from './geometry.js';
import { describeValue, parseKeyNumber, parseOneOf } from './ids.js';
import { withoutUndefined } from './optional.js';
import { parseReceiptRef, type ReceiptRef } from './receipt-ref.js';

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
  readonly extractedData?: Readonly<Record<string, unknown>>;
}

type Input<T> = { [K in keyof T]?: unknown };

export function parseReceiptLine(input: Input<ReceiptLine>): ReceiptLine {
  return parseText('RECEIPT_LINE', input);
}

export function parseReceiptWord(input: Input<ReceiptWord>): ReceiptWord {
  const extracted = input.extractedData;
  if (
    extracted !== undefined &&
    extracted !== null &&
    (typeof extracted !== 'object' || Array.isArray(extracted))
  ) {
    throw new InvalidValueError(
      'RECEIPT_WORD.extracted_data',
      `expected a map or null, got ${describeValue(extracted)}`,
    );
  }
  return withoutUndefined({
    ...parseText('RECEIPT_WORD', input),
    wordId: parseKeyNumber('RECEIPT_WORD.word_id', input.wordId, 0),
    extractedData: (extracted ?? undefined) as Readonly<Record<string, unknown>> | undefined,
  });
}

function parseText(entity: string, input: Input<ReceiptLine>): ReceiptLine {
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
    ...parseGeometry(entity, input),
    embeddingStatus: parseOneOf(
      `${entity}.embedding_status`,
      EMBEDDING_STATUSES,
      input.embeddingStatus ?? 'NONE',
    ),
    isNoise: input.isNoise ?? false,
  };
}
