import type { CompactionRunKey } from '../../domain/compaction-run.js';
import type { CompactionCollection, CompactionState } from '../../domain/compaction-state.js';
import { DECIDED_LABEL_STATUSES } from '../../domain/label-validation-status.js';
import { WORD_LABELS } from '../../domain/label-vocabulary.js';
import type { ReceiptRef } from '../../domain/receipt-ref.js';
import type { ReceiptWordLabel } from '../../domain/word-label.js';
import { CompactionNotCompletedError } from '../../errors/compaction-not-completed-error.js';
import { InvalidValueError } from '../../errors/invalid-value-error.js';
import type { CompactionRunRepository } from '../../ports/compaction-run-repository.js';
import type { LabelRepository } from '../../ports/label-repository.js';
import { contractTime, inLabelOrder, sampleLabel, sampleRun } from './contract-fixtures.js';
import { contractIds } from './contract-ids.js';
import type { ContractOptions, ContractTestApi } from './contract-test-api.js';

export interface LabelRepositoryContractSubject {
  readonly labels: LabelRepository;
  /** Runs on the same store as `labels`, to create the runs guarded writes check and move their states. */
  readonly runs: CompactionRunRepository;
  /** Stores a label as given, status included (the port cannot write a decided label: someone else decides). */
  seedLabel(label: ReceiptWordLabel): Promise<void>;
}

// More than one DynamoDB transaction holds (100 items), so an adapter must chunk and still guard every chunk.
const MANY_LABELS = 150;

/** What every LabelRepository must do, whatever stores the labels. */
export function labelRepositoryContract(
  api: ContractTestApi,
  name: string,
  makeSubject: () => Promise<LabelRepositoryContractSubject>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = api;
  const ids = contractIds(`labels:${name}`, options.idSeed);
  const newReceipt = (): ReceiptRef => ({ imageId: ids.uuid(), receiptId: 1 });
  const empty = { written: [], alreadyPresent: [], frozen: [] };

  /** Creates a run of `receipt` with each collection moved to the given state. */
  async function runIn(
    runs: CompactionRunRepository,
    receipt: ReceiptRef,
    states: Record<CompactionCollection, CompactionState>,
  ): Promise<CompactionRunKey> {
    const key = { ...receipt, runId: ids.uuid() };
    await runs.createCompactionRun(sampleRun(key));
    for (const collection of ['lines', 'words'] as const) {
      const state = states[collection];
      if (state === 'PENDING') continue;
      await runs.transitionCollection(key, collection, { to: 'PROCESSING', at: contractTime(1) });
      if (state === 'COMPLETED') {
        await runs.transitionCollection(key, collection, {
          to: 'COMPLETED',
          at: contractTime(2),
          mergedVectors: 1,
        });
      }
      if (state === 'FAILED') {
        await runs.transitionCollection(key, collection, {
          to: 'FAILED',
          at: contractTime(2),
          error: 'merge failed',
        });
      }
    }
    return key;
  }

  /** `count` labels on distinct items of `receipt`. */
  function manyLabels(receipt: ReceiptRef, count: number): ReceiptWordLabel[] {
    return Array.from({ length: count }, (_, i) =>
      sampleLabel(
        receipt,
        1 + Math.floor(i / 10),
        1 + (i % 10),
        WORD_LABELS[i % WORD_LABELS.length] ?? 'TAX',
      ),
    );
  }

  describe(`LabelRepository contract: ${name}`, () => {
    it('writes new labels and reads them back ordered by line, word and label', async () => {
      const { labels } = await makeSubject();
      const receipt = newReceipt();
      const tax = sampleLabel(receipt, 3, 2, 'TAX');
      const total = sampleLabel(receipt, 3, 2, 'GRAND_TOTAL', {
        reasoning: undefined,
        labelProposedBy: undefined,
      });
      const date = sampleLabel(receipt, 1, 4, 'DATE', {
        labelConsolidatedFrom: 'TIME',
        validationStatus: 'NONE',
      });
      const merchant = sampleLabel(receipt, 1, 1, 'MERCHANT_NAME');
      const result = await labels.saveLabels([tax, total, date, merchant]);
      expect(inLabelOrder(result.written)).toEqual(inLabelOrder([tax, total, date, merchant]));
      expect([result.alreadyPresent, result.frozen]).toEqual([[], []]);
      expect(await labels.getLabels(receipt)).toEqual([merchant, date, total, tax]);
    });

    it('reads an unknown receipt as no labels and saves no labels as nothing', async () => {
      const { labels } = await makeSubject();
      const receipt = newReceipt();
      expect(await labels.saveLabels([])).toEqual(empty);
      expect(await labels.getLabels(receipt)).toEqual([]);
    });

    it('is idempotent: the same proposals again leave one unchanged item each and report alreadyPresent', async () => {
      const { labels } = await makeSubject();
      const receipt = newReceipt();
      const first = [sampleLabel(receipt, 1, 1, 'MERCHANT_NAME'), sampleLabel(receipt, 2, 1, 'PHONE_NUMBER')];
      await labels.saveLabels(first);
      const again = first.map((label) => ({
        ...label,
        reasoning: 'proposed again',
        timestampAdded: contractTime(9),
      }));
      const result = await labels.saveLabels(again);
      expect(inLabelOrder(result.alreadyPresent)).toEqual(inLabelOrder(again));
      expect([result.written, result.frozen]).toEqual([[], []]);
      expect(await labels.getLabels(receipt)).toEqual(first);
    });

    it('writes a proposal repeated within one call once (the first)', async () => {
      const { labels } = await makeSubject();
      const receipt = newReceipt();
      const tax = sampleLabel(receipt, 4, 2, 'TAX');
      const result = await labels.saveLabels([tax, tax, { ...tax, reasoning: 'second thoughts' }]);
      expect(result).toEqual({ written: [tax], alreadyPresent: [], frozen: [] });
      expect(await labels.getLabels(receipt)).toEqual([tax]);
    });

    it('never changes a label someone decided (VALID, INVALID, NEEDS_REVIEW) and reports it frozen', async () => {
      const { labels, runs, seedLabel } = await makeSubject();
      const receipt = newReceipt();
      const decided = DECIDED_LABEL_STATUSES.map((status, i) =>
        sampleLabel(receipt, 1, i + 1, 'PRODUCT_NAME', {
          validationStatus: status,
          labelProposedBy: 'reviewer',
          reasoning: `decided ${status}`,
        }),
      );
      const undecided = sampleLabel(receipt, 2, 1, 'UNIT_PRICE', { validationStatus: 'NONE' });
      for (const label of [...decided, undecided]) await seedLabel(label);
      const proposals = [...decided, undecided].map((label) =>
        sampleLabel(receipt, label.lineId, label.wordId, label.label),
      );

      const unguarded = await labels.saveLabels(proposals);
      expect(inLabelOrder(unguarded.frozen)).toEqual(inLabelOrder(proposals.slice(0, decided.length)));
      expect(unguarded.alreadyPresent).toEqual(proposals.slice(decided.length));
      expect(unguarded.written).toEqual([]);
      const guarded = await labels.saveLabels(proposals, {
        requireCompleted: await runIn(runs, receipt, { lines: 'COMPLETED', words: 'COMPLETED' }),
      });
      expect(inLabelOrder(guarded.frozen)).toEqual(inLabelOrder(proposals.slice(0, decided.length)));
      expect(await labels.getLabels(receipt)).toEqual([...decided, undecided]);
    });

    for (const [situation, states] of [
      ['PENDING', { lines: 'PENDING', words: 'PENDING' }],
      ['PROCESSING', { lines: 'PROCESSING', words: 'PROCESSING' }],
      ['COMPLETED in lines only', { lines: 'COMPLETED', words: 'PROCESSING' }],
      ['FAILED in words', { lines: 'COMPLETED', words: 'FAILED' }],
      ['FAILED in lines', { lines: 'FAILED', words: 'COMPLETED' }],
    ] as const) {
      it(`refuses a guarded write as a whole while the run is ${situation}`, async () => {
        const { labels, runs } = await makeSubject();
        const receipt = newReceipt();
        const key = await runIn(runs, receipt, states);
        const proposals = [
          sampleLabel(receipt, 1, 1, 'MERCHANT_NAME'),
          sampleLabel(receipt, 5, 2, 'GRAND_TOTAL'),
        ];
        await expect(labels.saveLabels(proposals, { requireCompleted: key })).rejects.toBeInstanceOf(
          CompactionNotCompletedError,
        );
        expect(await labels.getLabels(receipt)).toEqual([]);
      });
    }

    it('refuses a guarded write when the run does not exist', async () => {
      const { labels } = await makeSubject();
      const receipt = newReceipt();
      const missing = { ...receipt, runId: ids.uuid() };
      await expect(
        labels.saveLabels([sampleLabel(receipt, 1, 1, 'DATE')], { requireCompleted: missing }),
      ).rejects.toBeInstanceOf(CompactionNotCompletedError);
      expect(await labels.getLabels(receipt)).toEqual([]);
    });

    it('refuses a guarded write larger than one transaction as a whole, leaving existing labels as they were', async () => {
      const { labels, runs } = await makeSubject();
      const receipt = newReceipt();
      const proposals = manyLabels(receipt, MANY_LABELS);
      const existing = proposals.slice(0, 3);
      await labels.saveLabels(existing);
      const key = await runIn(runs, receipt, { lines: 'COMPLETED', words: 'PROCESSING' });
      await expect(labels.saveLabels(proposals, { requireCompleted: key })).rejects.toBeInstanceOf(
        CompactionNotCompletedError,
      );
      expect(await labels.getLabels(receipt)).toEqual(inLabelOrder(existing));
    });

    it('writes a guarded write once the run is COMPLETED in both collections', async () => {
      const { labels, runs } = await makeSubject();
      const receipt = newReceipt();
      const key = await runIn(runs, receipt, { lines: 'COMPLETED', words: 'COMPLETED' });
      const proposals = [sampleLabel(receipt, 2, 3, 'ADDRESS_LINE'), sampleLabel(receipt, 6, 1, 'SUBTOTAL')];
      const result = await labels.saveLabels(proposals, { requireCompleted: key });
      expect(inLabelOrder(result.written)).toEqual(inLabelOrder(proposals));
      expect(await labels.getLabels(receipt)).toEqual(proposals);
    });

    it(`writes all of ${MANY_LABELS} labels (more than one transaction holds) in one guarded call`, async () => {
      const { labels, runs, seedLabel } = await makeSubject();
      const receipt = newReceipt();
      const proposals = manyLabels(receipt, MANY_LABELS);
      const present = proposals.slice(0, 1);
      const decided = proposals.slice(1, 2);
      const seeded = decided.map((label) => ({ ...label, validationStatus: 'VALID' as const }));
      await labels.saveLabels(present);
      for (const label of seeded) await seedLabel(label);
      const key = await runIn(runs, receipt, { lines: 'COMPLETED', words: 'COMPLETED' });

      const result = await labels.saveLabels(proposals, { requireCompleted: key });
      expect(result.written).toHaveLength(MANY_LABELS - 2);
      expect([result.alreadyPresent, result.frozen]).toEqual([present, decided]);
      const stored = await labels.getLabels(receipt);
      expect(stored).toHaveLength(MANY_LABELS);
      expect(stored).toEqual(inLabelOrder([...present, ...seeded, ...proposals.slice(2)]));
    });

    it('keeps the labels of other receipts and images apart', async () => {
      const { labels, seedLabel } = await makeSubject();
      const receipt = newReceipt();
      const neighbours: ReceiptRef[] = [
        { imageId: receipt.imageId, receiptId: 2 },
        { imageId: receipt.imageId, receiptId: 10 },
        { imageId: ids.uuid(), receiptId: receipt.receiptId },
      ];
      const theirs = neighbours.map((other) => sampleLabel(other, 1, 1, 'TAX', { reasoning: 'not yours' }));
      for (const label of theirs) await seedLabel(label);

      const mine = sampleLabel(receipt, 1, 1, 'TAX');
      expect(await labels.saveLabels([mine])).toEqual({ written: [mine], alreadyPresent: [], frozen: [] });
      expect(await labels.getLabels(receipt)).toEqual([mine]);
      for (const [i, other] of neighbours.entries())
        expect(await labels.getLabels(other)).toEqual([theirs[i]]);
    });

    it("reads one word's labels, ordered by label name, and none of a neighbour's (word 1 vs 10)", async () => {
      const { labels, seedLabel } = await makeSubject();
      const receipt = newReceipt();
      const word = { ...receipt, lineId: 1, wordId: 1 };
      const decided = sampleLabel(receipt, 1, 1, 'TAX', {
        validationStatus: 'VALID',
        labelProposedBy: 'reviewer',
      });
      await seedLabel(decided);
      const total = sampleLabel(receipt, 1, 1, 'GRAND_TOTAL');
      // Same digits in other places of the key: word 10, line 10, receipt 10, and another image.
      const neighbours = [
        sampleLabel(receipt, 1, 10, 'TAX'),
        sampleLabel(receipt, 10, 1, 'TAX'),
        sampleLabel({ ...receipt, receiptId: 10 }, 1, 1, 'TAX'),
        sampleLabel({ imageId: ids.uuid(), receiptId: receipt.receiptId }, 1, 1, 'TAX'),
      ];
      await labels.saveLabels([total, ...neighbours]);
      expect(await labels.getWordLabels(word)).toEqual([total, decided]);
      expect(await labels.getWordLabels({ ...word, wordId: 10 })).toEqual([neighbours[0]]);
    });

    it('reads a word without labels as no labels', async () => {
      const { labels } = await makeSubject();
      const receipt = newReceipt();
      await labels.saveLabels([sampleLabel(receipt, 1, 2, 'DATE')]);
      expect(await labels.getWordLabels({ ...receipt, lineId: 1, wordId: 1 })).toEqual([]);
      expect(await labels.getWordLabels({ ...newReceipt(), lineId: 1, wordId: 2 })).toEqual([]);
    });

    it('refuses a label the existing services cannot read (word 0) before writing anything', async () => {
      const { labels } = await makeSubject();
      const receipt = newReceipt();
      const valid = sampleLabel(receipt, 1, 1, 'TIME');
      await expect(labels.saveLabels([valid, { ...valid, wordId: 0 }])).rejects.toBeInstanceOf(
        InvalidValueError,
      );
      expect(await labels.getLabels(receipt)).toEqual([]);
    });
  });
}
