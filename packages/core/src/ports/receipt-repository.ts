import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { ReceiptLine, ReceiptWord } from '../domain/receipt-text.js';

export interface ReceiptContent {
  readonly lines: readonly ReceiptLine[];
  readonly words: readonly ReceiptWord[];
}

export interface ReceiptRepository {
  /** Lines and words of one receipt, ordered by line then word id; empty when the receipt has none. */
  getReceiptContent(receipt: ReceiptRef): Promise<ReceiptContent>;
  /** Writes lines and words (a put per item: writing the same content again is harmless). */
  saveReceiptContent(content: ReceiptContent): Promise<void>;
}
