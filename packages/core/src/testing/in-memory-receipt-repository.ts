import type { ReceiptRef } from '../domain/receipt-ref.js';
import {
  parseReceiptLine,
  parseReceiptWord,
  parseStoredReceiptLine,
  parseStoredReceiptWord,
  type ReceiptLine,
  type ReceiptWord,
} from '../domain/receipt-text.js';
import type { ReceiptContent, ReceiptRepository } from '../ports/receipt-repository.js';
import { FaultInjector } from './fault-injector.js';

/** ReceiptRepository in memory: validated creations keyed like the table's items, ordered reads, read faults. */
export class InMemoryReceiptRepository implements ReceiptRepository {
  readonly readFaults = new FaultInjector();
  readonly #lines = new Map<string, ReceiptLine>();
  readonly #words = new Map<string, ReceiptWord>();

  async getReceiptContent(receipt: ReceiptRef): Promise<ReceiptContent> {
    await this.readFaults.apply('getReceiptContent');
    const ofReceipt = (item: ReceiptRef) =>
      item.imageId === receipt.imageId && item.receiptId === receipt.receiptId;
    return {
      lines: [...this.#lines.values()]
        .filter(ofReceipt)
        .sort((a, b) => a.lineId - b.lineId)
        .map((line) => ({ ...line })),
      words: [...this.#words.values()]
        .filter(ofReceipt)
        .sort((a, b) => a.lineId - b.lineId || a.wordId - b.wordId)
        .map((word) => ({ ...word })),
    };
  }

  /**
   * Makes the receipt hold exactly `content` (items as given, validated as stored ones), whatever it held: for
   * InMemoryReceiptVersionStore, which replaces receipts, and for tests that seed items.
   */
  replaceReceiptContent(receipt: ReceiptRef, content: ReceiptContent): void {
    const lines = content.lines.map((line) => parseStoredReceiptLine(line));
    const words = content.words.map((word) => parseStoredReceiptWord(word));
    const ofReceipt = (key: string) => key.startsWith(`${receipt.imageId}#${receipt.receiptId}#`);
    for (const key of [...this.#lines.keys()].filter(ofReceipt)) this.#lines.delete(key);
    for (const key of [...this.#words.keys()].filter(ofReceipt)) this.#words.delete(key);
    for (const line of lines) this.#lines.set(`${line.imageId}#${line.receiptId}#${line.lineId}`, line);
    for (const word of words) {
      this.#words.set(`${word.imageId}#${word.receiptId}#${word.lineId}#${word.wordId}`, word);
    }
  }

  async saveReceiptContent(content: ReceiptContent): Promise<void> {
    // Everything is validated before anything is stored.
    const lines = content.lines.map((line) => parseReceiptLine(line));
    const words = content.words.map((word) => parseReceiptWord(word));
    for (const line of lines) {
      const key = `${line.imageId}#${line.receiptId}#${line.lineId}`;
      if (!this.#lines.has(key)) this.#lines.set(key, line);
    }
    for (const word of words) {
      const key = `${word.imageId}#${word.receiptId}#${word.lineId}#${word.wordId}`;
      if (!this.#words.has(key)) this.#words.set(key, word);
    }
  }
}
