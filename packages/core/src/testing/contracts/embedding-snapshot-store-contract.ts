import { lineVectorId, receiptVectorPrefix, wordVectorId } from '../../compaction/vector-ids.js';
import type { ReceiptRef } from '../../domain/receipt-ref.js';
import { InvalidValueError } from '../../errors/invalid-value-error.js';
import type { EmbeddingSnapshotStore, EmbeddingVector, VectorFields } from '../../ports/embedding-store.js';
import { contractIds } from './contract-ids.js';
import type { ContractOptions, ContractTestApi } from './contract-test-api.js';

export interface EmbeddingSnapshotStoreContractSubject {
  readonly snapshots: EmbeddingSnapshotStore;
  /** The length of the vectors the store holds (at least 2); the suite writes vectors of that length. */
  readonly dimensions: number;
}

/**
 * Vectors as a float32 store gives them back: each value rounded to float32. Comparing both sides this way
 * accepts a store that keeps values exactly or at float32 precision, and nothing coarser.
 */
export function atFloat32(vectors: readonly EmbeddingVector[]): EmbeddingVector[] {
  return vectors.map((vector) => ({ ...vector, values: vector.values.map(Math.fround) }));
}

/** What every EmbeddingSnapshotStore must do, whatever holds the snapshots. */
export function embeddingSnapshotStoreContract(
  api: ContractTestApi,
  name: string,
  makeSubject: () => Promise<EmbeddingSnapshotStoreContractSubject>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = api;
  const ids = contractIds(`embedding-snapshots:${name}`, options.idSeed);
  const newReceipt = (): ReceiptRef => ({ imageId: ids.uuid(), receiptId: 1 });
  // Values a lossy format could round badly: thirds, tiny and negative numbers; a float32 store rounds them.
  const values = (dimensions: number, seed: number) =>
    Array.from({ length: dimensions }, (_, i) => [1 / 3, -0.000_000_001, 0.1 + 0.2, seed][i % 4] ?? i);
  const wordVector = (dimensions: number, receipt: ReceiptRef, lineId: number, wordId: number) =>
    ({
      id: wordVectorId({ ...receipt, lineId, wordId }),
      values: values(dimensions, wordId),
      metadata: {
        text: `w${lineId}.${wordId}`,
        receipt_id: receipt.receiptId,
        is_total: wordId === 2,
        valid_labels_array: wordId === 2 ? ['GRAND_TOTAL', 'TAX'] : [],
      },
    }) satisfies EmbeddingVector;
  const expectListed = async (
    snapshots: EmbeddingSnapshotStore,
    collection: 'lines' | 'words',
    prefix: string,
    expected: readonly EmbeddingVector[],
  ) => expect(atFloat32(await snapshots.list(collection, prefix))).toEqual(atFloat32(expected));

  describe(`EmbeddingSnapshotStore contract: ${name}`, () => {
    it('lists nothing for a receipt without vectors', async () => {
      const { snapshots } = await makeSubject();
      expect(await snapshots.list('words', receiptVectorPrefix(newReceipt()))).toEqual([]);
    });

    it('merges vectors and lists them ordered by id, as given (values at least at float32 precision)', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const vectors = [
        wordVector(dimensions, receipt, 2, 1),
        wordVector(dimensions, receipt, 1, 10),
        wordVector(dimensions, receipt, 1, 2),
      ];
      expect(await snapshots.merge('words', vectors)).toBe(3);
      await expectListed(snapshots, 'words', receiptVectorPrefix(receipt), [
        vectors[2] as EmbeddingVector,
        vectors[1] as EmbeddingVector,
        vectors[0] as EmbeddingVector,
      ]);
    });

    it('keeps metadata of every kind exactly, and a field a vector lacks stays absent', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const rich = {
        id: lineVectorId({ ...receipt, lineId: 1 }),
        values: values(dimensions, 1),
        metadata: {
          text: 'Joe\'s 100% "Café" _x_ \\ 🧾',
          empty: '',
          count: -42,
          share: 0.1 + 0.2,
          flag: false,
          names: ["O'Brien", '%', ''],
          none: [],
        },
      };
      const bare = {
        id: lineVectorId({ ...receipt, lineId: 2 }),
        values: values(dimensions, 2),
        metadata: {},
      };
      await snapshots.merge('lines', [rich, bare]);
      await expectListed(snapshots, 'lines', receiptVectorPrefix(receipt), [rich, bare]);
    });

    it('replaces a vector merged again under its id, whole, and keeps the others', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const first = wordVector(dimensions, receipt, 1, 1);
      await snapshots.merge('words', [first, wordVector(dimensions, receipt, 1, 2)]);
      const replacement = { id: first.id, values: values(dimensions, 9), metadata: { text: 'new' } };
      expect(await snapshots.merge('words', [replacement])).toBe(1);
      await expectListed(snapshots, 'words', receiptVectorPrefix(receipt), [
        replacement,
        wordVector(dimensions, receipt, 1, 2),
      ]);
    });

    it('keeps the lines and words snapshots apart', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const line = {
        id: lineVectorId({ ...receipt, lineId: 1 }),
        values: values(dimensions, 1),
        metadata: { text: 'line' },
      };
      await snapshots.merge('lines', [line]);
      await snapshots.merge('words', [wordVector(dimensions, receipt, 1, 1)]);
      await expectListed(snapshots, 'lines', receiptVectorPrefix(receipt), [line]);
      await expectListed(snapshots, 'words', receiptVectorPrefix(receipt), [
        wordVector(dimensions, receipt, 1, 1),
      ]);
    });

    it('refuses a vector shorter or longer than the snapshot dimension, merging none of that call', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const good = wordVector(dimensions, receipt, 1, 1);
      for (const length of [dimensions - 1, dimensions + 1, 0]) {
        const wrong = { ...wordVector(dimensions, receipt, 1, 2), values: values(length, 2) };
        await expect(snapshots.merge('words', [good, wrong])).rejects.toBeInstanceOf(InvalidValueError);
      }
      expect(await snapshots.list('words', receiptVectorPrefix(receipt))).toEqual([]);
    });

    it('patches the given fields of every vector under each prefix and of no other, returning how many', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const neighbour = { ...receipt, receiptId: 10 };
      const mine = [wordVector(dimensions, receipt, 1, 1), wordVector(dimensions, receipt, 2, 1)];
      await snapshots.merge('words', [...mine, wordVector(dimensions, neighbour, 1, 1)]);
      const fields = { merchant_name: 'Corner Cafe', receipt_id: 1, is_total: true };
      const labels = { label_status: 'validated', valid_labels_array: ['TAX'] };
      expect(
        await snapshots.patch('words', [
          { idPrefix: receiptVectorPrefix(receipt), fields },
          { idPrefix: mine[1]?.id ?? '', fields: labels },
        ]),
      ).toEqual([2, 1]);
      await expectListed(snapshots, 'words', receiptVectorPrefix(receipt), [
        { ...(mine[0] as EmbeddingVector), metadata: { ...mine[0]?.metadata, ...fields } },
        { ...(mine[1] as EmbeddingVector), metadata: { ...mine[1]?.metadata, ...fields, ...labels } },
      ]);
      await expectListed(snapshots, 'words', receiptVectorPrefix(neighbour), [
        wordVector(dimensions, neighbour, 1, 1),
      ]);
    });

    it('applies the patches of one call in order: a later one wins a field both set', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const vector = wordVector(dimensions, receipt, 1, 1);
      await snapshots.merge('words', [vector]);
      const patched = await snapshots.patch('words', [
        { idPrefix: vector.id, fields: { merchant_name: 'first', label_status: 'auto_suggested' } },
        { idPrefix: receiptVectorPrefix(receipt), fields: { merchant_name: 'second' } },
      ]);
      expect(patched).toEqual([1, 1]);
      await expectListed(snapshots, 'words', vector.id, [
        {
          ...vector,
          metadata: { ...vector.metadata, merchant_name: 'second', label_status: 'auto_suggested' },
        },
      ]);
    });

    it('patches nothing and returns 0 for a prefix without vectors, the other patches still applied', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const line = {
        id: lineVectorId({ ...receipt, lineId: 1 }),
        values: values(dimensions, 1),
        metadata: {},
      };
      await snapshots.merge('lines', [line]);
      expect(
        await snapshots.patch('words', [
          { idPrefix: receiptVectorPrefix(receipt), fields: { merchant_name: 'x' } },
        ]),
      ).toEqual([0]);
      expect(await snapshots.list('words', receiptVectorPrefix(receipt))).toEqual([]);
      expect(
        await snapshots.patch('lines', [
          { idPrefix: `${receiptVectorPrefix(receipt)}LINE#00002`, fields: { merchant_name: 'x' } },
          { idPrefix: line.id, fields: { merchant_name: 'y' } },
        ]),
      ).toEqual([0, 1]);
      await expectListed(snapshots, 'lines', receiptVectorPrefix(receipt), [
        { ...line, metadata: { merchant_name: 'y' } },
      ]);
      expect(await snapshots.patch('lines', [])).toEqual([]);
    });

    it('refreshes the fields computed from the vectors it read, and returns how many are under the prefix', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const neighbour = { ...receipt, receiptId: 10 };
      const mine = [wordVector(dimensions, receipt, 1, 1), wordVector(dimensions, receipt, 1, 2)];
      await snapshots.merge('words', [...mine, wordVector(dimensions, neighbour, 1, 1)]);
      const seen: string[][] = [];
      const found = await snapshots.refresh('words', receiptVectorPrefix(receipt), async (vectors) => {
        seen.push(vectors.map((vector) => vector.id));
        return new Map<string, VectorFields>([
          [mine[0]?.id ?? '', { label_status: 'validated', valid_labels_array: ['TAX'] }],
          [wordVector(dimensions, neighbour, 1, 1).id, { label_status: 'not mine' }],
        ]);
      });
      expect(found).toBe(2);
      expect(seen).toEqual([mine.map((vector) => vector.id).sort()]);
      await expectListed(snapshots, 'words', receiptVectorPrefix(receipt), [
        {
          ...(mine[0] as EmbeddingVector),
          metadata: { ...mine[0]?.metadata, label_status: 'validated', valid_labels_array: ['TAX'] },
        },
        mine[1] as EmbeddingVector,
      ]);
      await expectListed(snapshots, 'words', receiptVectorPrefix(neighbour), [
        wordVector(dimensions, neighbour, 1, 1),
      ]);
    });

    it('refreshes nothing and never computes for a prefix without vectors', async () => {
      const { snapshots } = await makeSubject();
      let calls = 0;
      const found = await snapshots.refresh('lines', receiptVectorPrefix(newReceipt()), async () => {
        calls++;
        return new Map();
      });
      expect({ found, calls }).toEqual({ found: 0, calls: 0 });
    });

    it('computes again when another write changes a vector between its read and its write', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const vector = wordVector(dimensions, receipt, 1, 1);
      await snapshots.merge('words', [vector]);
      const computed: string[] = [];
      await snapshots.refresh('words', receiptVectorPrefix(receipt), async (vectors) => {
        const status = vectors[0]?.metadata.merchant_name === 'meanwhile' ? 'second' : 'first';
        computed.push(status);
        // Another writer lands after this read: the first result must not be written over it.
        if (status === 'first') {
          await snapshots.patch('words', [{ idPrefix: vector.id, fields: { merchant_name: 'meanwhile' } }]);
        }
        return new Map([[vector.id, { label_status: status }]]);
      });
      expect(computed).toEqual(['first', 'second']);
      await expectListed(snapshots, 'words', vector.id, [
        { ...vector, metadata: { ...vector.metadata, merchant_name: 'meanwhile', label_status: 'second' } },
      ]);
    });

    it('writes nothing when the computation fails, and passes its error on', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const vector = wordVector(dimensions, receipt, 1, 1);
      await snapshots.merge('words', [vector]);
      const failure = new Error('state unreadable');
      await expect(
        snapshots.refresh('words', vector.id, async () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
      await expectListed(snapshots, 'words', vector.id, [vector]);
    });

    it('lands every one of many concurrent refreshes and merges of one receipt', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const prefix = receiptVectorPrefix(receipt);
      const target = wordVector(dimensions, receipt, 1, 1);
      await snapshots.merge('words', [target]);
      const count = 8;
      await Promise.all([
        ...Array.from({ length: count }, (_, i) =>
          snapshots.merge('words', [wordVector(dimensions, receipt, 2, i + 1)]),
        ),
        ...Array.from({ length: count }, (_, i) =>
          snapshots.refresh('words', target.id, async () => new Map([[target.id, { [`field_${i}`]: i }]])),
        ),
      ]);
      const listed = await snapshots.list('words', prefix);
      expect(listed).toHaveLength(1 + count);
      expect(listed.find((vector) => vector.id === target.id)?.metadata).toEqual({
        ...target.metadata,
        ...Object.fromEntries(Array.from({ length: count }, (_, i) => [`field_${i}`, i])),
      });
    });

    it('takes a prefix literally: quotes, % and _ match only themselves', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const base = receiptVectorPrefix(newReceipt());
      const vector = (suffix: string) => ({
        id: `${base}${suffix}`,
        values: values(dimensions, 1),
        metadata: {},
      });
      await snapshots.merge('lines', [vector("a'b%c_d"), vector('aXbYcZd'), vector("a'b%cXd")]);
      const listed = await snapshots.list('lines', `${base}a'b%c_`);
      expect(listed.map((v) => v.id)).toEqual([`${base}a'b%c_d`]);
      expect(await snapshots.patch('lines', [{ idPrefix: `${base}a_b`, fields: { x: 1 } }])).toEqual([0]);
    });

    it('lands every one of many concurrent merges and patches', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const prefix = receiptVectorPrefix(receipt);
      const target = wordVector(dimensions, receipt, 1, 1);
      await snapshots.merge('words', [target]);
      const count = 16;
      const added = Array.from({ length: count }, (_, i) => wordVector(dimensions, receipt, 2, i));
      await Promise.all([
        ...added.map((vector) => snapshots.merge('words', [vector])),
        ...added.map((_, i) =>
          snapshots.patch('words', [{ idPrefix: target.id, fields: { [`field_${i}`]: i } }]),
        ),
      ]);
      const listed = await snapshots.list('words', prefix);
      expect(listed).toHaveLength(1 + count);
      expect(listed.find((vector) => vector.id === target.id)?.metadata).toEqual({
        ...target.metadata,
        ...Object.fromEntries(added.map((_, i) => [`field_${i}`, i])),
      });
    });

    it('hands out copies: changing what it returned changes nothing stored', async () => {
      const { snapshots, dimensions } = await makeSubject();
      const receipt = newReceipt();
      const vector = wordVector(dimensions, receipt, 1, 2);
      await snapshots.merge('words', [vector]);
      for (const listed of await snapshots.list('words', receiptVectorPrefix(receipt))) {
        (listed.values as number[]).push(42);
        (listed.metadata as Record<string, unknown>).text = 'mutated';
        (listed.metadata.valid_labels_array as string[]).push('TIP');
      }
      await expectListed(snapshots, 'words', receiptVectorPrefix(receipt), [vector]);
    });
  });
}
