import { deltaPrefixes } from '../../compaction/vector-ids.js';
import { newCompactionRun } from '../../domain/compaction-run.js';
import type { ReceiptRef } from '../../domain/receipt-ref.js';
import type { ReceiptWordLabel } from '../../domain/word-label.js';
import { TransientStoreError } from '../../errors/transient-store-error.js';
import type { Clock } from '../../ports/clock.js';
import type { CompactionRunRepository } from '../../ports/compaction-run-repository.js';
import type {
  ReceiptVersion,
  ReceiptVersionStore,
  StoredReceipt,
} from '../../ports/receipt-version-store.js';
import { sampleLabel, sampleLine, sampleMetadata, sampleWord } from './contract-fixtures.js';
import { contractIds } from './contract-ids.js';
import type { ContractOptions, ContractTestApi } from './contract-test-api.js';

export interface ReceiptVersionStoreContractSubject {
  readonly versions: ReceiptVersionStore;
  readonly runs: CompactionRunRepository;
  /** The store's clock (its leases wait on it). */
  readonly clock: Clock;
  /** A store of the same receipts whose leases last 300 ms without a write (and take over expired ones). */
  readonly shortLeases: ReceiptVersionStore;
  /** Stores a label as given, whatever its status (as a person or another service would). */
  seedLabel(label: ReceiptWordLabel): Promise<void>;
}

/** What every ReceiptVersionStore must do, whatever holds the receipts. */
export function receiptVersionStoreContract(
  api: ContractTestApi,
  name: string,
  makeSubject: () => Promise<ReceiptVersionStoreContractSubject>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = api;
  const ids = contractIds(`receipt-versions:${name}`, options.idSeed);
  const newReceipt = (): ReceiptRef => ({ imageId: ids.uuid(), receiptId: 3 });
  /** Lines 1..lines, each with words 1..2; line 1 already embedded (SUCCESS). */
  const versionOf = (receipt: ReceiptRef, lines: number, text = (lineId: number) => `line ${lineId}`) => ({
    receipt,
    lines: Array.from({ length: lines }, (_, i) => ({
      ...sampleLine(receipt, i + 1),
      text: text(i + 1),
      embeddingStatus: i === 0 ? ('SUCCESS' as const) : ('NONE' as const),
    })),
    words: Array.from({ length: lines * 2 }, (_, i) =>
      sampleWord(receipt, Math.floor(i / 2) + 1, (i % 2) + 1),
    ),
    metadata: sampleMetadata(receipt),
  });
  const runOf = (receipt: ReceiptRef, at = '2026-12-01T08:00:00.000Z') => {
    const key = { ...receipt, runId: ids.uuid() };
    return newCompactionRun({ ...key, ...deltaPrefixes(key), createdAt: at });
  };
  const content = (stored: StoredReceipt) => ({ lines: stored.lines, words: stored.words });
  const store = async (subject: ReceiptVersionStoreContractSubject, version: ReceiptVersion) => {
    const checked = subject.versions.check(version).version;
    const lease = await subject.versions.lease(version.receipt, { waitUntil: subject.clock.now() + 5_000 });
    try {
      await lease.writeContent(checked, []);
    } finally {
      await lease.release();
    }
    return checked;
  };

  describe(`ReceiptVersionStore contract: ${name}`, () => {
    it('reads a receipt that holds nothing as empty', async () => {
      const subject = await makeSubject();
      expect(await subject.versions.read(newReceipt())).toEqual({
        lines: [],
        words: [],
        labels: [],
        hasMerchantRecord: false,
        runs: [],
        unreadable: [],
      });
    });

    it('writes a version and its run under a lease, and both read back', async () => {
      const subject = await makeSubject();
      const receipt = newReceipt();
      const version = subject.versions.check(versionOf(receipt, 2)).version;
      const run = runOf(receipt);
      const lease = await subject.versions.lease(receipt, { waitUntil: subject.clock.now() + 5_000 });
      expect(lease.stored.lines).toEqual([]);
      await lease.writeContent(version, []);
      await lease.writeRun(run);
      await lease.release();
      const stored = await subject.versions.read(receipt);
      expect(content(stored)).toEqual({ lines: version.lines, words: version.words });
      expect(stored.metadata).toEqual(version.metadata);
      expect(stored.hasMerchantRecord).toBe(true);
      expect(stored.runs).toEqual([run]);
    });

    it('replaces a version whole: changed and new items written, missing ones deleted, unchanged ones left as stored', async () => {
      const subject = await makeSubject();
      const receipt = newReceipt();
      await store(subject, versionOf(receipt, 3));
      // Line 1 unchanged but said NONE this time: it keeps the status it has; line 2 changed; line 3 dropped.
      const next = versionOf(receipt, 2, (lineId) => (lineId === 2 ? 'line two, again' : `line ${lineId}`));
      const written = await store(subject, {
        ...next,
        lines: next.lines.map((line) => ({ ...line, embeddingStatus: 'NONE' as const })),
      });
      const stored = await subject.versions.read(receipt);
      expect(stored.lines.map((line) => [line.lineId, line.text, line.embeddingStatus])).toEqual([
        [1, 'line 1', 'SUCCESS'],
        [2, 'line two, again', 'NONE'],
      ]);
      expect(stored.words).toEqual(written.words);
    });

    it('never replaces the merchant record a receipt has', async () => {
      const subject = await makeSubject();
      const receipt = newReceipt();
      const first = await store(subject, versionOf(receipt, 1));
      const other = versionOf(receipt, 1);
      await store(subject, { ...other, metadata: { ...other.metadata, merchantName: 'Another Shop' } });
      expect((await subject.versions.read(receipt)).metadata).toEqual(first.metadata);
    });

    it('deletes the labels it is given while undecided, and refuses one decided meanwhile, keeping what was there', async () => {
      const subject = await makeSubject();
      const receipt = newReceipt();
      const first = await store(subject, versionOf(receipt, 2));
      const pending = sampleLabel(receipt, 2, 1, 'TAX');
      const valid = { ...sampleLabel(receipt, 2, 2, 'GRAND_TOTAL'), validationStatus: 'VALID' as const };
      await subject.seedLabel(pending);
      await subject.seedLabel(valid);
      const next = subject.versions.check(versionOf(receipt, 1)).version;

      const lease = await subject.versions.lease(receipt, { waitUntil: subject.clock.now() + 5_000 });
      await expect(lease.writeContent(next, [pending, valid])).rejects.toBeInstanceOf(TransientStoreError);
      const kept = await subject.versions.read(receipt);
      expect(content(kept)).toEqual({ lines: first.lines, words: first.words });
      expect(kept.labels.map((label) => label.label)).toEqual(['TAX', 'GRAND_TOTAL']);

      await lease.writeContent(next, [pending]);
      await lease.release();
      const replaced = await subject.versions.read(receipt);
      expect(content(replaced)).toEqual({ lines: next.lines, words: next.words });
      expect(replaced.labels.map((label) => label.label)).toEqual(['GRAND_TOTAL']);
    });

    it('writes a run again under a key it had as a new run (PENDING), so it is compacted again', async () => {
      const subject = await makeSubject();
      const receipt = newReceipt();
      const run = runOf(receipt);
      const lease = await subject.versions.lease(receipt, { waitUntil: subject.clock.now() + 5_000 });
      await lease.writeRun(run);
      await subject.runs.transitionCollection(run, 'lines', { to: 'PROCESSING', at: run.createdAt });
      const again = { ...run, createdAt: '2026-12-02T08:00:00.000Z' };
      await lease.writeRun(again);
      await lease.release();
      expect((await subject.versions.read(receipt)).runs).toEqual([again]);
    });

    it('rolls back every write made under a lease, newest first', async () => {
      const subject = await makeSubject();
      const receipt = newReceipt();
      await store(subject, versionOf(receipt, 3));
      await subject.seedLabel(sampleLabel(receipt, 3, 1, 'TAX'));
      const before = await subject.versions.read(receipt);

      const lease = await subject.versions.lease(receipt, { waitUntil: subject.clock.now() + 5_000 });
      const next = subject.versions.check(versionOf(receipt, 1, () => 'rewritten')).version;
      await lease.writeContent(next, [sampleLabel(receipt, 3, 1, 'TAX')]);
      await lease.writeRun(runOf(receipt));
      await lease.rollback();
      await lease.release();
      expect(await subject.versions.read(receipt)).toEqual(before);
    });

    it('lets one upload hold a receipt at a time: another waits for the release, or gives up at its deadline', async () => {
      const subject = await makeSubject();
      const receipt = newReceipt();
      const first = await subject.versions.lease(receipt, { waitUntil: subject.clock.now() + 5_000 });
      await expect(
        subject.versions.lease(receipt, { waitUntil: subject.clock.now() + 50 }),
      ).rejects.toBeInstanceOf(TransientStoreError);
      const second = subject.versions.lease(receipt, { waitUntil: subject.clock.now() + 5_000 });
      await first.release();
      const taken = await second;
      // Another receipt is not held by it.
      const other = await subject.versions.lease(newReceipt(), { waitUntil: subject.clock.now() + 5_000 });
      await other.release();
      await taken.release();
      await taken.release();
    });

    it('lets another upload take over a lease its holder stopped renewing, and then fences the old holder out', async () => {
      const subject = await makeSubject();
      const versions = subject.shortLeases;
      const receipt = newReceipt();
      const stale = await versions.lease(receipt, { waitUntil: subject.clock.now() + 5_000 });
      // The taker waits for the holder's lease to run out, then takes it.
      const taken = await versions.lease(receipt, { waitUntil: subject.clock.now() + 5_000 });
      const version = versions.check(versionOf(receipt, 2)).version;
      await expect(stale.writeContent(version, [])).rejects.toBeInstanceOf(TransientStoreError);
      await expect(stale.writeRun(runOf(receipt))).rejects.toBeInstanceOf(TransientStoreError);
      expect(content(await versions.read(receipt))).toEqual({ lines: [], words: [] });
      await taken.writeContent(version, []);
      // The old holder's release does not free the new holder's lease.
      await stale.release();
      await expect(versions.lease(receipt, { waitUntil: subject.clock.now() + 50 })).rejects.toBeInstanceOf(
        TransientStoreError,
      );
      await taken.release();
      expect((await versions.read(receipt)).lines).toEqual(version.lines);
    });

    it('refuses a write under a lease given up', async () => {
      const subject = await makeSubject();
      const receipt = newReceipt();
      const lease = await subject.versions.lease(receipt, { waitUntil: subject.clock.now() + 5_000 });
      await lease.release();
      await expect(
        lease.writeContent(subject.versions.check(versionOf(receipt, 1)).version, []),
      ).rejects.toBeInstanceOf(TransientStoreError);
      expect((await subject.versions.read(receipt)).lines).toEqual([]);
    });
  });
}
