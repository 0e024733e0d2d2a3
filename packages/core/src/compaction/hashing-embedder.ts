import { InvalidValueError } from '../errors/invalid-value-error.js';
import type { Embedder } from '../ports/embedding-store.js';
import { fnv1a32 } from './fnv1a.js';

export interface HashingEmbedderOptions {
  /** Length of every vector (default 256). */
  readonly dimensions?: number;
}

/**
 * A deterministic offline Embedder, the default when no model is configured: feature hashing of the normalised
 * text's words and character trigrams into `dimensions` signed buckets, L2-normalised. Texts sharing words or
 * spelling fragments land close; it knows no synonyms. An empty text embeds as the zero vector.
 */
export class HashingEmbedder implements Embedder {
  readonly name: string;
  readonly dimensions: number;

  constructor(options: HashingEmbedderOptions = {}) {
    const dimensions = options.dimensions ?? 256;
    if (!Number.isInteger(dimensions) || dimensions < 1) {
      throw new InvalidValueError('dimensions', `expected a positive integer, got ${dimensions}`);
    }
    this.dimensions = dimensions;
    this.name = `hashing-trigram-v1-${dimensions}`;
  }

  async embed(texts: readonly string[]): Promise<number[][]> {
    return texts.map((text) => this.#embedOne(text));
  }

  #embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimensions).fill(0);
    for (const feature of features(text)) {
      const hash = fnv1a32(feature);
      const bucket = hash % this.dimensions;
      // The top bit picks the sign, so colliding features cancel out on average instead of piling up.
      vector[bucket] = (vector[bucket] ?? 0) + (hash & 0x80000000 ? -1 : 1);
    }
    const norm = Math.hypot(...vector);
    return norm === 0 ? vector : vector.map((value) => value / norm);
  }
}

function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

// Words carry meaning; trigrams (spaces included, so word edges count) survive OCR slips and number formats.
function features(text: string): string[] {
  const normalised = normalise(text);
  if (normalised === '') return [];
  const words = normalised.match(/[\p{L}\p{N}]+/gu) ?? [];
  const chars = Array.from(` ${normalised} `);
  const trigrams = chars.slice(0, -2).map((_, i) => `${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
  return [...words.map((word) => `w:${word}`), ...trigrams.map((trigram) => `t:${trigram}`)];
}
