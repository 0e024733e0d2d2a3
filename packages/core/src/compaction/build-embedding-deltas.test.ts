import { describe, expect, it } from 'vitest';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import type { Embedder } from '../ports/embedding-store.js';
import { sampleMetadata } from '../testing/contracts/contract-fixtures.js';
import { buildEmbeddingDeltas } from './build-embedding-deltas.js';
import { IMAGE_ID, NEIGHBOUR, RECEIPT, receiptContent } from './compaction-world.test-support.js';
import { HashingEmbedder } from './hashing-embedder.js';

const embedder = new HashingEmbedder({ dimensions: 8 });
const prefix = `IMAGE#${IMAGE_ID}#RECEIPT#00001#`;

describe('buildEmbeddingDeltas', () => {
  it('embeds every line and word under its vector id with its text, ids and the merchant fields', async () => {
    const metadata = sampleMetadata(RECEIPT);
    const content = receiptContent(RECEIPT);
    const deltas = await buildEmbeddingDeltas(embedder, { receipt: RECEIPT, ...content, metadata });
    const merchant = {
      merchant_name: 'Contract Coffee',
      merchant_category: 'cafe',
      address: '1 Contract Street',
      phone_number: '+1 555 0100',
      place_id: 'ChIJ-contract-place',
    };
    expect(deltas.lines.map((v) => v.id)).toEqual([`${prefix}LINE#00001`, `${prefix}LINE#00002`]);
    expect(deltas.lines[0]?.metadata).toEqual({
      text: 'line 1',
      image_id: IMAGE_ID,
      receipt_id: 1,
      line_id: 1,
      ...merchant,
    });
    expect(deltas.words.map((v) => v.id)).toEqual([
      `${prefix}LINE#00001#WORD#00001`,
      `${prefix}LINE#00001#WORD#00002`,
      `${prefix}LINE#00002#WORD#00001`,
    ]);
    expect(deltas.words[1]?.metadata).toEqual({
      text: 'w1.2',
      image_id: IMAGE_ID,
      receipt_id: 1,
      line_id: 1,
      word_id: 2,
      ...merchant,
      label_status: 'unvalidated',
      label_proposed_by: '',
      valid_labels_array: [],
      invalid_labels_array: [],
    });
    expect(deltas.words[1]?.values).toEqual((await embedder.embed(['w1.2']))[0]);
    expect(deltas.lines.map((line) => line.values)).toEqual(
      await embedder.embed(deltas.lines.map((line) => String(line.metadata.text))),
    );
  });

  it('uses the merchant name, and "" for absent fields or no merchant record', async () => {
    const { address: _, ...metadata } = sampleMetadata(RECEIPT);
    const withName = await buildEmbeddingDeltas(embedder, {
      receipt: RECEIPT,
      ...receiptContent(RECEIPT),
      metadata,
    });
    expect(withName.lines[0]?.metadata).toMatchObject({ merchant_name: 'Contract Coffee', address: '' });
    const without = await buildEmbeddingDeltas(embedder, { receipt: RECEIPT, ...receiptContent(RECEIPT) });
    expect(without.words[0]?.metadata).toMatchObject({
      merchant_name: '',
      merchant_category: '',
      address: '',
      phone_number: '',
      place_id: '',
    });
  });

  it('refuses lines, words or metadata of another receipt', async () => {
    const { lines, words } = receiptContent(RECEIPT);
    const [stranger] = receiptContent(NEIGHBOUR).words;
    await expect(
      buildEmbeddingDeltas(embedder, {
        receipt: RECEIPT,
        lines,
        words: [...words, ...(stranger ? [stranger] : [])],
      }),
    ).rejects.toThrow(`got one of ${IMAGE_ID}/10`);
    await expect(
      buildEmbeddingDeltas(embedder, { receipt: RECEIPT, lines, words, metadata: sampleMetadata(NEIGHBOUR) }),
    ).rejects.toBeInstanceOf(InvalidValueError);
  });

  it('refuses what an embedder returns when it is not one finite vector of its length per text', async () => {
    const broken = (vectors: number[][]): Embedder => ({
      name: 'broken',
      dimensions: 2,
      embed: async () => vectors,
    });
    const one = { receipt: RECEIPT, lines: receiptContent(RECEIPT).lines.slice(0, 1), words: [] };
    await expect(buildEmbeddingDeltas(broken([]), one)).rejects.toThrow(
      'embedder broken: returned 0 vectors for 1 texts',
    );
    await expect(buildEmbeddingDeltas(broken([[1]]), one)).rejects.toThrow('not 2 finite numbers');
    const two = { ...one, lines: receiptContent(RECEIPT).lines.slice(0, 2) };
    await expect(buildEmbeddingDeltas(broken([[1, 0], [1]]), two)).rejects.toThrow('not 2 finite numbers');
    await expect(buildEmbeddingDeltas(broken([[1, Number.NaN]]), one)).rejects.toBeInstanceOf(
      InvalidValueError,
    );
    expect(await buildEmbeddingDeltas(broken([]), { receipt: RECEIPT, lines: [], words: [] })).toEqual({
      lines: [],
      words: [],
    });
  });

  it('refuses an item of another image with the same receipt number, naming the receipt', async () => {
    const { lines, words } = receiptContent(RECEIPT);
    const [line] = lines;
    const elsewhere = line && { ...line, imageId: '9b2e8c4d-1a3f-4e5b-8c7d-6e5f4a3b2c1d' };
    await expect(
      buildEmbeddingDeltas(embedder, { receipt: RECEIPT, lines: elsewhere ? [elsewhere] : [], words }),
    ).rejects.toThrow(`receipt: expected lines, words and metadata of ${IMAGE_ID}/1`);
  });

  it('asks the embedder nothing for a receipt without lines or words', async () => {
    const asked: string[][] = [];
    const counting: Embedder = {
      name: 'counting',
      dimensions: 8,
      embed: async (texts) => {
        asked.push([...texts]);
        return embedder.embed(texts);
      },
    };
    const { words } = receiptContent(RECEIPT);
    const deltas = await buildEmbeddingDeltas(counting, { receipt: RECEIPT, lines: [], words });
    expect(deltas.lines).toEqual([]);
    expect(asked).toEqual([words.map((word) => word.text)]);
  });
});
