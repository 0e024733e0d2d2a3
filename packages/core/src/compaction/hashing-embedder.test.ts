import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { fnv1a32 } from './fnv1a.js';
import { HashingEmbedder } from './hashing-embedder.js';

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

function referenceFnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes of any text, beyond ASCII and the basic plane included', () => {
    // Each boundary of the UTF-8 encoding (1 to 4 bytes), and either side of it.
    const boundaries = ['\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\u{10000}'];
    for (const text of ['café', '¥1,200', '合計 ¥980', '🧾 total', 'Ünïcödé\u00a0x', ...boundaries]) {
      expect(fnv1a32(text)).toBe(referenceFnv1a32(text));
    }
  });
});

describe('HashingEmbedder', () => {
  const embedder = new HashingEmbedder();

  it('returns one L2-normalised vector of the configured length per text, the same every time', async () => {
    const texts = ['GRAND TOTAL 12.99', 'Thank you for shopping'];
    const first = await embedder.embed(texts);
    expect(first).toHaveLength(2);
    for (const vector of first) {
      expect(vector).toHaveLength(256);
      expect(dot(vector, vector)).toBeCloseTo(1, 12);
    }
    expect(await new HashingEmbedder().embed(texts)).toEqual(first);
    expect(embedder.name).toBe('hashing-trigram-v1-256');
  });

  it('ignores case, repeated spaces and compatibility forms', async () => {
    const [a, b, c] = await embedder.embed(['Grand  Total', 'grand total', 'ＧＲＡＮＤ TOTAL']);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('puts similar texts closer than unrelated ones', async () => {
    const [total, totalSlip, subtotal, thanks, phone] = await embedder.embed([
      'GRAND TOTAL 12.99',
      'GRAND T0TAL 12.99',
      'SUBTOTAL 11.50',
      'THANK YOU FOR SHOPPING',
      '(555) 010-0199',
    ]);
    const similarity = (x: number[] | undefined, y: number[] | undefined) => dot(x ?? [], y ?? []);
    expect(similarity(total, totalSlip)).toBeGreaterThan(0.6);
    expect(similarity(total, totalSlip)).toBeGreaterThan(similarity(total, subtotal));
    expect(similarity(total, subtotal)).toBeGreaterThan(similarity(total, thanks));
    expect(similarity(total, subtotal)).toBeGreaterThan(similarity(total, phone));
  });

  it('embeds an empty text as the zero vector and refuses a length that is not a positive integer', async () => {
    const [empty] = await new HashingEmbedder({ dimensions: 8 }).embed(['  ']);
    expect(empty).toEqual(new Array(8).fill(0));
    for (const dimensions of [0, -1, 2.5]) {
      expect(() => new HashingEmbedder({ dimensions })).toThrow(InvalidValueError);
    }
  });

  it('gives the vectors it always gave: snapshots hold them, so a change of features would strand them', async () => {
    const [vector] = await new HashingEmbedder({ dimensions: 32 }).embed(['Café-Bar 4.50']);
    const third = 258_199;
    expect(vector?.map((value) => Math.round(value * 1e6))).toEqual([
      0,
      third,
      0,
      0,
      0,
      -third,
      0,
      0,
      -third,
      third,
      0,
      0,
      0,
      0,
      0,
      0,
      third,
      0,
      0,
      -2 * third,
      0,
      0,
      -third,
      third,
      -third,
      0,
      -third,
      0,
      -third,
      0,
      0,
      -third,
    ]);
  });

  it('accepts a single dimension and names the bad length it refuses', async () => {
    expect((await new HashingEmbedder({ dimensions: 1 }).embed(['total']))[0]).toHaveLength(1);
    expect(() => new HashingEmbedder({ dimensions: 0 })).toThrow(
      'dimensions: expected a positive integer, got 0',
    );
  });

  it('embeds a text without letters or digits by its character trigrams alone', async () => {
    const [vector] = await new HashingEmbedder({ dimensions: 32 }).embed(['%% -']);
    const half = 500_000;
    expect(vector?.map((value) => Math.round(value * 1e6))).toEqual([
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      half,
      half,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      half,
      0,
      -half,
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
  });
});
