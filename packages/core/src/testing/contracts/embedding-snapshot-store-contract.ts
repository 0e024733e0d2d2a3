import { lineVectorId, receiptVectorPrefix, wordVectorId } from '../../compaction/vector-ids.js';
import type { ReceiptRef } from '../../domain/receipt-ref.js';
import type { EmbeddingSnapshotStore, EmbeddingVector } from '../../ports/embedding-store.js';
import { contractIds } from './contract-ids.js';
import type { ContractOptions, ContractTestApi } from './contract-test-api.js';

export interface EmbeddingSnapshotStoreContractSubject {
  readonly snapshots: EmbeddingSnapshotStore;
}

function wordVector(receipt: ReceiptRef, lineId: number, wordId: number, text = `w${lineId}.${wordId}`) {
  return {
    id: wordVectorId({ ...receipt, lineId, wordId }),
    // Values a text format could round badly: thirds, tiny and negative numbers.
    values: [1 / 3, -0.000_000_001, 0.1 + 0.2, wordId],
    metadata: { text, receipt_id: receipt.receiptId, is_total: wordId === 2, validated_labels: ',' },
  } satisfies EmbeddingVector;
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

  describe(`EmbeddingSnapshotStore contract: ${name}`, () => {
    it('lists nothing for a receipt without vectors', async () => {
      const { snapshots } = await makeSubject();
      expect(await snapshots.list('words', receiptVectorPrefix(newReceipt()))).toEqual([]);
    });

    it('merges vectors and lists them ordered by id, exactly as given', async () => {
      const { snapshots } = await makeSubject();
      const receipt = newReceipt();
      const vectors = [wordVector(receipt, 2, 1), wordVector(receipt, 1, 10), wordVector(receipt, 1, 2)];
      expect(await snapshots.merge('words', vectors)).toBe(3);
      const listed = await snapshots.list('words', receiptVectorPrefix(receipt));
      expect(listed).toEqual([vectors[2], vectors[1], vectors[0]]);
    });

    it('replaces a vector merged again under its id, whole, and keeps the others', async () => {
      const { snapshots } = await makeSubject();
      const receipt = newReceipt();
      await snapshots.merge('words', [wordVector(receipt, 1, 1), wordVector(receipt, 1, 2)]);
      const replacement = { id: wordVector(receipt, 1, 1).id, values: [0.5], metadata: { text: 'new' } };
      expect(await snapshots.merge('words', [replacement])).toBe(1);
      expect(await snapshots.list('words', receiptVectorPrefix(receipt))).toEqual([
        replacement,
        wordVector(receipt, 1, 2),
      ]);
    });

    it('keeps the lines and words snapshots apart', async () => {
      const { snapshots } = await makeSubject();
      const receipt = newReceipt();
      const line = { id: lineVectorId({ ...receipt, lineId: 1 }), values: [1], metadata: { text: 'line' } };
      await snapshots.merge('lines', [line]);
      await snapshots.merge('words', [wordVector(receipt, 1, 1)]);
      expect(await snapshots.list('lines', receiptVectorPrefix(receipt))).toEqual([line]);
      expect(await snapshots.list('words', receiptVectorPrefix(receipt))).toEqual([
        wordVector(receipt, 1, 1),
      ]);
    });

    it('patches the given fields of every vector under the prefix and of no other, returning how many', async () => {
      const { snapshots } = await makeSubject();
      const receipt = newReceipt();
      const neighbour = { ...receipt, receiptId: 10 };
      await snapshots.merge('words', [
        wordVector(receipt, 1, 1),
        wordVector(receipt, 2, 1),
        wordVector(neighbour, 1, 1),
      ]);
      const fields = { merchant_name: 'Corner Cafe', receipt_id: 1, is_total: true };
      expect(await snapshots.patch('words', receiptVectorPrefix(receipt), fields)).toBe(2);
      expect(await snapshots.list('words', receiptVectorPrefix(receipt))).toEqual(
        [wordVector(receipt, 1, 1), wordVector(receipt, 2, 1)].map((v) => ({
          ...v,
          metadata: { ...v.metadata, ...fields },
        })),
      );
      expect(await snapshots.list('words', receiptVectorPrefix(neighbour))).toEqual([
        wordVector(neighbour, 1, 1),
      ]);
    });

    it('patches nothing and returns 0 when no vector has the prefix', async () => {
      const { snapshots } = await makeSubject();
      const receipt = newReceipt();
      await snapshots.merge('lines', [
        { id: lineVectorId({ ...receipt, lineId: 1 }), values: [1], metadata: {} },
      ]);
      expect(await snapshots.patch('words', receiptVectorPrefix(receipt), { merchant_name: 'x' })).toBe(0);
      expect(await snapshots.list('words', receiptVectorPrefix(receipt))).toEqual([]);
    });

    it('lands every one of many concurrent merges and patches', async () => {
      const { snapshots } = await makeSubject();
      const receipt = newReceipt();
      const prefix = receiptVectorPrefix(receipt);
      const target = wordVector(receipt, 1, 1);
      await snapshots.merge('words', [target]);
      const count = 16;
      const added = Array.from({ length: count }, (_, i) => wordVector(receipt, 2, i));
      await Promise.all([
        ...added.map((vector) => snapshots.merge('words', [vector])),
        ...added.map((_, i) => snapshots.patch('words', target.id, { [`field_${i}`]: i })),
      ]);
      const listed = await snapshots.list('words', prefix);
      expect(listed).toHaveLength(1 + count);
      expect(listed.find((vector) => vector.id === target.id)?.metadata).toEqual({
        ...target.metadata,
        ...Object.fromEntries(added.map((_, i) => [`field_${i}`, i])),
      });
    });

    it('hands out copies: changing what it returned changes nothing stored', async () => {
      const { snapshots } = await makeSubject();
      const receipt = newReceipt();
      const vector = wordVector(receipt, 1, 1);
      await snapshots.merge('words', [vector]);
      for (const listed of await snapshots.list('words', receiptVectorPrefix(receipt))) {
        (listed.values as number[]).push(42);
        (listed.metadata as Record<string, unknown>).text = 'mutated';
      }
      expect(await snapshots.list('words', receiptVectorPrefix(receipt))).toEqual([vector]);
    });
  });
}
