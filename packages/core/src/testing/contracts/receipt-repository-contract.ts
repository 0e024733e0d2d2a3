import type { ReceiptRef } from '../../domain/receipt-ref.js';
import type { ReceiptRepository } from '../../ports/receipt-repository.js';
import { sampleLine, sampleWord } from './contract-fixtures.js';
import { contractIds } from './contract-ids.js';
import type { ContractOptions, ContractTestApi } from './contract-test-api.js';

export interface ReceiptRepositoryContractSubject {
  readonly receipts: ReceiptRepository;
}

/** What every ReceiptRepository must do, whatever stores the lines and words. */
export function receiptRepositoryContract(
  api: ContractTestApi,
  name: string,
  makeSubject: () => Promise<ReceiptRepositoryContractSubject>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = api;
  const ids = contractIds(`receipts:${name}`, options.idSeed);
  const newReceipt = (): ReceiptRef => ({ imageId: ids.uuid(), receiptId: 1 });

  describe(`ReceiptRepository contract: ${name}`, () => {
    it('round-trips lines and words, ordered by line then word id', async () => {
      const { receipts } = await makeSubject();
      const receipt = newReceipt();
      const lines = [2, 0, 10, 1].map((lineId) => sampleLine(receipt, lineId));
      const words = [
        [10, 0],
        [1, 3],
        [0, 1],
        [2, 2],
        [1, 0],
        [0, 0],
        [2, 10],
      ].map(([lineId = 0, wordId = 0]) => sampleWord(receipt, lineId, wordId));
      await receipts.saveReceiptContent({ lines, words });

      const read = await receipts.getReceiptContent(receipt);
      expect(read.lines).toEqual([0, 1, 2, 10].map((lineId) => sampleLine(receipt, lineId)));
      expect(read.words).toEqual(
        [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 3],
          [2, 2],
          [2, 10],
          [10, 0],
        ].map(([lineId = 0, wordId = 0]) => sampleWord(receipt, lineId, wordId)),
      );
    });

    it('reads a receipt with no content as empty', async () => {
      const { receipts } = await makeSubject();
      expect(await receipts.getReceiptContent(newReceipt())).toEqual({ lines: [], words: [] });
    });

    it('saves the same content twice harmlessly', async () => {
      const { receipts } = await makeSubject();
      const receipt = newReceipt();
      const content = {
        lines: [sampleLine(receipt, 1)],
        words: [sampleWord(receipt, 1, 1), sampleWord(receipt, 1, 2)],
      };
      await receipts.saveReceiptContent(content);
      await receipts.saveReceiptContent(content);
      expect(await receipts.getReceiptContent(receipt)).toEqual(content);
    });

    it('never replaces a line or word that exists, and creates the ones that do not', async () => {
      const { receipts } = await makeSubject();
      const receipt = newReceipt();
      const first = { lines: [sampleLine(receipt, 1)], words: [sampleWord(receipt, 1, 1)] };
      await receipts.saveReceiptContent(first);
      const changed = (line: ReturnType<typeof sampleLine>) => ({ ...line, text: 'rewritten' });
      await receipts.saveReceiptContent({
        lines: [changed(sampleLine(receipt, 1)), sampleLine(receipt, 2)],
        words: [{ ...sampleWord(receipt, 1, 1), text: 'rewritten' }, sampleWord(receipt, 2, 1)],
      });
      expect(await receipts.getReceiptContent(receipt)).toEqual({
        lines: [sampleLine(receipt, 1), sampleLine(receipt, 2)],
        words: [sampleWord(receipt, 1, 1), sampleWord(receipt, 2, 1)],
      });
    });

    it('keeps the content of other receipts and images apart', async () => {
      const { receipts } = await makeSubject();
      const receipt = newReceipt();
      const others: ReceiptRef[] = [
        { imageId: receipt.imageId, receiptId: 10 },
        { imageId: ids.uuid(), receiptId: receipt.receiptId },
      ];
      const contentOf = (of: ReceiptRef) => ({ lines: [sampleLine(of, 1)], words: [sampleWord(of, 1, 1)] });
      for (const of of [receipt, ...others]) await receipts.saveReceiptContent(contentOf(of));
      for (const of of [receipt, ...others])
        expect(await receipts.getReceiptContent(of)).toEqual(contentOf(of));
    });
  });
}
