import { parseKeyNumber, parseUuid } from './ids.js';

/** Identifies one receipt inside one image. */
export interface ReceiptRef {
  readonly imageId: string;
  readonly receiptId: number;
}

export function parseReceiptRef(input: { imageId: unknown; receiptId: unknown }): ReceiptRef {
  return {
    imageId: parseUuid('image_id', input.imageId),
    receiptId: parseKeyNumber('receipt_id', input.receiptId, 1),
  };
}
