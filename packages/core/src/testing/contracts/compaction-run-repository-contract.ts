import { type CompactionRunKey, parseCompactionRun } from '../../domain/compaction-run.js';
import { CompactionRunExistsError } from '../../errors/compaction-run-exists-error.js';
import type { CompactionRunRepository } from '../../ports/compaction-run-repository.js';
import { contractTime, keyOf, sampleRun } from './contract-fixtures.js';
import { contractIds } from './contract-ids.js';
import type { ContractOptions, ContractTestApi } from './contract-test-api.js';

export interface CompactionRunRepositoryContractSubject {
  readonly runs: CompactionRunRepository;
}

/** What every CompactionRunRepository must do, whatever stores the runs. */
export function compactionRunRepositoryContract(
  api: ContractTestApi,
  name: string,
  makeSubject: () => Promise<CompactionRunRepositoryContractSubject>,
  options: ContractOptions = {},
): void {
  const { describe, it, expect } = api;
  const ids = contractIds(`compaction-runs:${name}`, options.idSeed);
  const newKey = (): CompactionRunKey => ({ imageId: ids.uuid(), receiptId: 1, runId: ids.uuid() });
  const [t1, t2, t3, t4] = [contractTime(1), contractTime(2), contractTime(3), contractTime(4)];

  describe(`CompactionRunRepository contract: ${name}`, () => {
    it('reads a missing run as undefined', async () => {
      const { runs } = await makeSubject();
      expect(await runs.getCompactionRun(newKey())).toBeUndefined();
    });

    it('round-trips every field of a created run', async () => {
      const { runs } = await makeSubject();
      const run = parseCompactionRun({
        ...newKey(),
        linesDeltaPrefix: 'deltas/lines/full/',
        wordsDeltaPrefix: 'deltas/words/full/',
        linesState: 'COMPLETED',
        wordsState: 'FAILED',
        linesStartedAt: t1,
        linesFinishedAt: t2,
        wordsStartedAt: '2026-11-29T12:00:01.500000+00:00',
        wordsFinishedAt: t3,
        wordsError: 'snapshot lock lost',
        linesMergedVectors: 12,
        wordsMergedVectors: 0,
        createdAt: contractTime(0),
        updatedAt: t3,
      });
      await runs.createCompactionRun(run);
      expect(await runs.getCompactionRun(keyOf(run))).toEqual(run);
    });

    it('keeps the optional fields of a new run absent', async () => {
      const { runs } = await makeSubject();
      const run = sampleRun(newKey());
      await runs.createCompactionRun(run);
      const read = await runs.getCompactionRun(keyOf(run));
      expect(Object.keys(read ?? {}).sort()).toEqual(Object.keys(run).sort());
    });

    it('keeps runs of other receipts and other run ids apart', async () => {
      const { runs } = await makeSubject();
      const run = sampleRun(newKey());
      await runs.createCompactionRun(run);
      expect(await runs.getCompactionRun({ ...keyOf(run), receiptId: 10 })).toBeUndefined();
      expect(await runs.getCompactionRun({ ...keyOf(run), runId: ids.uuid() })).toBeUndefined();
    });

    it('creates the same run twice harmlessly', async () => {
      const { runs } = await makeSubject();
      const run = sampleRun(newKey());
      await runs.createCompactionRun(run);
      await runs.createCompactionRun(run);
      expect(await runs.getCompactionRun(keyOf(run))).toEqual(run);
    });

    it('creates the same run again harmlessly after its collections moved on (a retried upload)', async () => {
      const { runs } = await makeSubject();
      const run = sampleRun(newKey());
      await runs.createCompactionRun(run);
      await runs.transitionCollection(keyOf(run), 'lines', {
        to: 'PROCESSING',
        at: '2026-11-29T12:00:01.000Z',
      });
      await runs.createCompactionRun(run);
      expect((await runs.getCompactionRun(keyOf(run)))?.linesState).toBe('PROCESSING');
    });

    it('refuses a different run under the same key and keeps the first', async () => {
      const { runs } = await makeSubject();
      const run = sampleRun(newKey());
      await runs.createCompactionRun(run);
      const other = { ...run, linesDeltaPrefix: 'deltas/lines/other/' };
      await expect(runs.createCompactionRun(other)).rejects.toBeInstanceOf(CompactionRunExistsError);
      expect(await runs.getCompactionRun(keyOf(run))).toEqual(run);
    });

    it('moves each collection PENDING -> PROCESSING -> COMPLETED with its timestamps and merged count', async () => {
      const { runs } = await makeSubject();
      const run = sampleRun(newKey());
      const key = keyOf(run);
      await runs.createCompactionRun(run);

      const linesStarted = { ...run, linesState: 'PROCESSING', linesStartedAt: t1, updatedAt: t1 };
      expect(await runs.transitionCollection(key, 'lines', { to: 'PROCESSING', at: t1 })).toEqual({
        applied: true,
        run: linesStarted,
      });
      const linesDone = {
        ...linesStarted,
        linesState: 'COMPLETED',
        linesFinishedAt: t2,
        linesMergedVectors: 42,
        updatedAt: t2,
      };
      expect(
        await runs.transitionCollection(key, 'lines', { to: 'COMPLETED', at: t2, mergedVectors: 42 }),
      ).toEqual({
        applied: true,
        run: linesDone,
      });
      const wordsStarted = { ...linesDone, wordsState: 'PROCESSING', wordsStartedAt: t3, updatedAt: t3 };
      expect(await runs.transitionCollection(key, 'words', { to: 'PROCESSING', at: t3 })).toEqual({
        applied: true,
        run: wordsStarted,
      });
      const wordsDone = {
        ...wordsStarted,
        wordsState: 'COMPLETED',
        wordsFinishedAt: t4,
        wordsMergedVectors: 317,
        updatedAt: t4,
      };
      expect(
        await runs.transitionCollection(key, 'words', { to: 'COMPLETED', at: t4, mergedVectors: 317 }),
      ).toEqual({
        applied: true,
        run: wordsDone,
      });
      expect(await runs.getCompactionRun(key)).toEqual(wordsDone);
    });

    it('never changes one collection by a transition of the other', async () => {
      const { runs } = await makeSubject();
      const run = sampleRun(newKey());
      const key = keyOf(run);
      await runs.createCompactionRun(run);
      await runs.transitionCollection(key, 'words', { to: 'PROCESSING', at: t1 });
      await runs.transitionCollection(key, 'words', { to: 'COMPLETED', at: t2, mergedVectors: 7 });
      await runs.transitionCollection(key, 'lines', { to: 'PROCESSING', at: t3 });
      await runs.transitionCollection(key, 'lines', {
        to: 'FAILED',
        at: t4,
        error: 'lines delta unreadable',
      });
      const read = await runs.getCompactionRun(key);
      expect([
        read?.wordsState,
        read?.wordsStartedAt,
        read?.wordsFinishedAt,
        read?.wordsMergedVectors,
      ]).toEqual(['COMPLETED', t1, t2, 7]);
      expect(read?.wordsError).toBeUndefined();
      expect([read?.linesState, read?.linesError, read?.linesMergedVectors]).toEqual([
        'FAILED',
        'lines delta unreadable',
        0,
      ]);
    });

    it('never overwrites COMPLETED with a late PROCESSING, FAILED or COMPLETED', async () => {
      const { runs } = await makeSubject();
      const run = sampleRun(newKey());
      const key = keyOf(run);
      await runs.createCompactionRun(run);
      await runs.transitionCollection(key, 'lines', { to: 'PROCESSING', at: t1 });
      await runs.transitionCollection(key, 'lines', { to: 'COMPLETED', at: t2, mergedVectors: 5 });
      const completed = await runs.getCompactionRun(key);

      const refused = { applied: false, current: 'COMPLETED' };
      expect(await runs.transitionCollection(key, 'lines', { to: 'PROCESSING', at: t3 })).toEqual(refused);
      expect(await runs.transitionCollection(key, 'lines', { to: 'FAILED', at: t3, error: 'late' })).toEqual(
        refused,
      );
      expect(
        await runs.transitionCollection(key, 'lines', { to: 'COMPLETED', at: t4, mergedVectors: 9 }),
      ).toEqual(refused);
      expect(await runs.getCompactionRun(key)).toEqual(completed);
    });

    it('records FAILED with its error and lets a retry FAILED -> PROCESSING clear the error', async () => {
      const { runs } = await makeSubject();
      const run = sampleRun(newKey());
      const key = keyOf(run);
      await runs.createCompactionRun(run);
      await runs.transitionCollection(key, 'words', { to: 'PROCESSING', at: t1 });
      const failed = await runs.transitionCollection(key, 'words', {
        to: 'FAILED',
        at: t2,
        error: 'throttled',
      });
      expect(
        failed.applied && [failed.run.wordsState, failed.run.wordsError, failed.run.wordsFinishedAt],
      ).toEqual(['FAILED', 'throttled', t2]);

      const retried = await runs.transitionCollection(key, 'words', { to: 'PROCESSING', at: t3 });
      expect(retried.applied).toBe(true);
      const read = await runs.getCompactionRun(key);
      expect([read?.wordsState, read?.wordsStartedAt, read?.linesState]).toEqual([
        'PROCESSING',
        t3,
        'PENDING',
      ]);
      expect(read?.wordsError).toBeUndefined();
      expect(
        await runs.transitionCollection(key, 'words', { to: 'COMPLETED', at: t4, mergedVectors: 3 }),
      ).toEqual({
        applied: true,
        run: { ...read, wordsState: 'COMPLETED', wordsFinishedAt: t4, wordsMergedVectors: 3, updatedAt: t4 },
      });
    });

    it('refuses transitions the state machine does not allow and changes nothing', async () => {
      const { runs } = await makeSubject();
      const run = sampleRun(newKey());
      const key = keyOf(run);
      await runs.createCompactionRun(run);
      const refused = { applied: false, current: 'PENDING' };
      expect(
        await runs.transitionCollection(key, 'lines', { to: 'COMPLETED', at: t1, mergedVectors: 1 }),
      ).toEqual(refused);
      expect(await runs.transitionCollection(key, 'words', { to: 'FAILED', at: t1, error: 'early' })).toEqual(
        refused,
      );
      expect(await runs.getCompactionRun(key)).toEqual(run);
    });

    it('reports a transition of a missing run as not applied, with no current state', async () => {
      const { runs } = await makeSubject();
      const key = newKey();
      const result = await runs.transitionCollection(key, 'lines', { to: 'PROCESSING', at: t1 });
      expect(result.applied).toBe(false);
      expect(result.applied ? 'applied' : result.current).toBeUndefined();
      expect(await runs.getCompactionRun(key)).toBeUndefined();
    });
  });
}
