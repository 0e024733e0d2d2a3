import type { ReceiptRef } from '../domain/receipt-ref.js';
import type { ReceiptLine, ReceiptWord } from '../domain/receipt-text.js';

export interface ReceiptContent {
  readonly lines: readonly ReceiptLine[];
  readonly words: readonly ReceiptWord[];
}

export interface ReceiptRepository {
  /** Lines and words of one receipt, ordered by line then word id; empty when the receipt has none. */
  getReceiptContent(receipt: ReceiptRef): Promise<ReceiptContent>;
  /**
   * Creates the lines and words that do not exist yet. One that exists (another service's, or an earlier attempt's)
   * is never replaced: writing the same content again is harmless, and nobody's attributes are lost.
   */
  saveReceiptContent(content: ReceiptContent): Promise<void>;
}
