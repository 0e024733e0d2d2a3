import type { MerchantRecord } from '../domain/merchant-record.js';
import { parseReceiptRef, type ReceiptRef } from '../domain/receipt-ref.js';
import type { ReceiptLine, ReceiptWord } from '../domain/receipt-text.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import type { Embedder, EmbeddingVector } from '../ports/embedding-store.js';
import { labelVectorFields } from './label-vector-fields.js';
import { metadataVectorFields } from './metadata-vector-fields.js';
import { lineVectorId, wordVectorId } from './vector-ids.js';

export interface ReceiptEmbeddingInput {
  readonly receipt: ReceiptRef;
  readonly lines: readonly ReceiptLine[];
  /** Noise words included: a label may name any word, and its refresh needs the word's vector to exist. */
  readonly words: readonly ReceiptWord[];
  /** Absent when the receipt has none yet: the merchant fields are then "". */
  readonly metadata?: MerchantRecord;
}

/** One receipt's vectors, one delta per collection. */
export interface EmbeddingDeltas {
  readonly lines: EmbeddingVector[];
  readonly words: EmbeddingVector[];
}

/**
 * Embeds a receipt's lines and words. Every vector carries its text and ids and the receipt's merchant fields;
 * word vectors also carry the label fields of a word without labels (`unvalidated`, no proposer, no labels), which label
 * changes refresh once the delta is merged.
 */
export async function buildEmbeddingDeltas(
  embedder: Embedder,
  input: ReceiptEmbeddingInput,
): Promise<EmbeddingDeltas> {
  const receipt = parseReceiptRef(input.receipt);
  const foreign = [...input.lines, ...input.words, ...(input.metadata ? [input.metadata] : [])].find(
    (item) => item.imageId !== receipt.imageId || item.receiptId !== receipt.receiptId,
  );
  if (foreign) {
    throw new InvalidValueError(
      'receipt',
      `expected lines, words and metadata of ${receipt.imageId}/${receipt.receiptId}, got one of ${foreign.imageId}/${foreign.receiptId}`,
    );
  }
  const merchant = metadataVectorFields(input.metadata);
  const [lineValues, wordValues] = await Promise.all([
    embedAll(embedder, input.lines),
    embedAll(embedder, input.words),
  ]);
  const common = (item: ReceiptLine) => ({
    text: item.text,
    image_id: item.imageId,
    receipt_id: item.receiptId,
    line_id: item.lineId,
  });
  return {
    lines: input.lines.map((line, i) => ({
      id: lineVectorId(line),
      values: lineValues[i] ?? [],
      metadata: { ...common(line), ...merchant },
    })),
    words: input.words.map((word, i) => ({
      id: wordVectorId(word),
      values: wordValues[i] ?? [],
      metadata: { ...common(word), word_id: word.wordId, ...merchant, ...labelVectorFields([]) },
    })),
  };
}

// A misbehaving embedder must not put short or broken vectors into a snapshot that every query reads.
async function embedAll(embedder: Embedder, items: readonly ReceiptLine[]): Promise<number[][]> {
  if (items.length === 0) return [];
  const vectors = await embedder.embed(items.map((item) => item.text));
  const wrong =
    vectors.length !== items.length
      ? `${vectors.length} vectors for ${items.length} texts`
      : vectors.some((v) => v.length !== embedder.dimensions || !v.every(Number.isFinite))
        ? `a vector that is not ${embedder.dimensions} finite numbers`
        : undefined;
  if (wrong) throw new InvalidValueError(`embedder ${embedder.name}`, `returned ${wrong}`);
  return vectors;
}
