import type {
  AnalyzeOptions,
  ReceiptAnalysis,
  ReceiptAnalysisInput,
  ReceiptAnalyzer,
} from '@receipt-gate/core';

/**
 * The offline analyzer remembered by content: it is a pure function of the receipt's lines, words and merchant
 * record (not of the image id), and the simulated receipts are copies of a few dozen samples, so only the first
 * analysis of each content is computed. Callers get copies.
 */
export class MemoizingAnalyzer implements ReceiptAnalyzer {
  readonly name: string;
  readonly #inner: ReceiptAnalyzer;
  readonly #cache = new Map<string, ReceiptAnalysis>();

  constructor(inner: ReceiptAnalyzer) {
    this.#inner = inner;
    this.name = inner.name;
  }

  async analyze(input: ReceiptAnalysisInput, options?: AnalyzeOptions): Promise<ReceiptAnalysis> {
    const key = contentKey(input);
    let analysis = this.#cache.get(key);
    if (!analysis) {
      analysis = await this.#inner.analyze(input, options);
      this.#cache.set(key, analysis);
    }
    return structuredClone(analysis);
  }
}

/**
 * What the analysis depends on, without the image id: the texts and geometry of lines and words (the samples fix
 * one geometry per text layout) and the merchant record.
 */
function contentKey(input: ReceiptAnalysisInput): string {
  const { imageId: _image, timestamp: _at, ...metadata } = input.metadata ?? { imageId: '', timestamp: '' };
  const words = input.words.map((word) => `${word.lineId}.${word.wordId}:${word.text}`).join('|');
  return `${input.receipt.receiptId}\n${input.lines.map((line) => line.text).join('\n')}\n${words}\n${JSON.stringify(metadata)}`;
}
