import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompactionRunKey } from '../domain/compaction-run.js';
import { COMPACTION_COLLECTIONS } from '../domain/compaction-state.js';
import type { LabelValidationStatus } from '../domain/label-validation-status.js';
import type { WordLabelName } from '../domain/label-vocabulary.js';
import { MERCHANT_SNAPSHOT_FIELDS, type MerchantRecord } from '../domain/merchant-record.js';
import { withoutUndefined } from '../domain/optional.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import { assertProperty } from '../fast-check-seeds.test-support.js';
import type { CompactionRunRepository } from '../ports/compaction-run-repository.js';
import type {
  EmbeddingDeltaStore,
  EmbeddingSnapshotStore,
  EmbeddingVector,
} from '../ports/embedding-store.js';
import { sampleLabel, sampleMetadata } from '../testing/contracts/contract-fixtures.js';
import { RecordingTelemetry } from '../testing/recording-telemetry.js';
import { type CompactBatchDeps, type CompactionRecord, compactBatch } from './compaction-batch.js';
import { compactionWorld, NEIGHBOUR, RECEIPT, WORDS } from './compaction-world.test-support.js';
import { labelVectorFields } from './label-vector-fields.js';
import { metadataVectorFields } from './metadata-vector-fields.js';
import { refreshReceiptVectors } from './refresh-receipt-vectors.js';
import { deltaPrefixes, receiptVectorPrefix, wordVectorId } from './vector-ids.js';

// The stream as one receipt's records reach the compactor, through the real batch code (compactBatch: grouping,
// coalescing, merges from the table's current state, compare-and-set refreshes, deferred changes). The table
// changes in any order: the upload (deltas and the run), label writes, merchant record changes, possibly a second
// run; each change commits, then its record joins its item's lane. As on Lambda with a parallelization factor,
// items are spread over lanes and only one item's records keep their order: a lane takes batches from its
// checkpoint, moves it past what succeeded or to the first failure (batchItemFailures), gives up after a bounded
// number of attempts, and may lose its checkpoint (a redelivery). Lanes run concurrently, and fc.scheduler()
// interleaves every store call of every lane with the table's changes. Faults strike anywhere: transient store
// errors, a crash between the merge and COMPLETED, a permanent merge error, a first delta lost for good.
//
// The property: nothing is given up on, and the final vectors equal a merge of the final table state: for each
// collection some run COMPLETED, the delta with the current merchant record's and labels' fields; otherwise none,
// or those same vectors (an attempt may have written them before a crash, and a later one FAILED).

type LabelEdit = {
  readonly kind: 'label';
  readonly word: number;
  readonly label: WordLabelName;
  readonly status: LabelValidationStatus;
};
type MerchantEdit = {
  readonly kind: 'merchant';
  readonly merchantName: string;
  readonly merchantCategory: string | undefined;
  /** Only the reasoning changes: a change no vector carries. */
  readonly reasoningOnly: boolean;
};
type Edit = LabelEdit | MerchantEdit | { readonly kind: 'upload' } | { readonly kind: 'rerun' };
type Fault = 'none' | 'crash-before-completed' | 'merge-transient' | 'merge-permanent' | 'refresh-transient';
type Step = { readonly batch: number; readonly lostCheckpoint: boolean };

const labelEdit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constant('label' as const),
  word: fc.nat({ max: WORDS.length - 1 }),
  label: fc.constantFrom<WordLabelName>('TAX', 'SUBTOTAL', 'GRAND_TOTAL'),
  status: fc.constantFrom<LabelValidationStatus>('NONE', 'PENDING', 'VALID', 'INVALID', 'NEEDS_REVIEW'),
});
const merchantEdit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constant('merchant' as const),
  merchantName: fc.constantFrom('Contract Coffee', 'Corner Cafe'),
  merchantCategory: fc.constantFrom(undefined, 'cafe', 'bakery'),
  reasoningOnly: fc.boolean(),
});

const scenario = fc.record({
  edits: fc.array(fc.oneof(labelEdit, merchantEdit), { maxLength: 8 }),
  uploadAt: fc.nat(),
  /** The first run's delta is gone for good (its merge FAILS); a second run, if any, has its own. */
  firstDeltaLost: fc.boolean(),
  /** Where a second run of the same receipt is created, if at all. */
  rerunAt: fc.option(fc.nat(), { nil: undefined }),
  lanes: fc.integer({ min: 1, max: 4 }),
  laneSalt: fc.nat(),
  steps: fc.array(
    fc.record({
      batch: fc.integer({ min: 1, max: 4 }),
      // Rarer than not: a redelivery late in a run hides what came before it.
      lostCheckpoint: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, fc.constant(true)),
    }),
    { maxLength: 24 },
  ),
  faults: fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.constant<Fault>('none') },
      fc.constantFrom<Fault>(
        'crash-before-completed',
        'merge-transient',
        'merge-permanent',
        'refresh-transient',
      ),
    ),
    { maxLength: 24 },
  ),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The edits in commit order: the upload and the second run inserted where the scenario puts them. */
function commitOrder(s: Scenario): Edit[] {
  const order: Edit[] = [...s.edits];
  order.splice(s.uploadAt % (order.length + 1), 0, { kind: 'upload' });
  if (s.rerunAt !== undefined) order.splice(s.rerunAt % (order.length + 1), 0, { kind: 'rerun' });
  return order;
}

/** What the broken variants change around the real code; `correct` changes nothing. */
type Variant = 'correct' | 'retries-early-changes' | 'merge-ignores-state' | 'blind-refresh';

const MAX_ATTEMPTS = 6;
const FIRST_RUN = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const SECOND_RUN = '16fd2706-8baf-433b-82eb-8c7fada847da';

async function deliver(s: Scenario, scheduler: fc.Scheduler, variant: Variant) {
  const world = compactionWorld();
  const telemetry = new RecordingTelemetry();
  // A neighbour receipt whose ids share a prefix up to the padding: it must come out untouched.
  const neighbourKey = await world.upload(NEIGHBOUR, sampleMetadata(NEIGHBOUR), FIRST_RUN);
  await compactBatch({ ...world, telemetry, deadLetter: async () => {} }, [
    { partitionKey: 'n', receipt: NEIGHBOUR, change: { kind: 'run', run: neighbourKey } },
  ]);
  const neighbour = { lines: world.snapshots.peek('lines'), words: world.snapshots.peek('words') };

  // Every store call starts at a point the scheduler picks, so the lanes and the table's changes interleave.
  const sched =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      scheduler.schedule(Promise.resolve()).then(() => fn(...args));
  const lost = s.firstDeltaLost
    ? new Set(Object.values(deltaPrefixes({ ...RECEIPT, runId: FIRST_RUN })))
    : [];
  const deltas: EmbeddingDeltaStore = {
    putDelta: (prefix, vectors) => world.deltas.putDelta(prefix, vectors),
    getDelta: sched(async (prefix) =>
      [...lost].includes(prefix) ? undefined : world.deltas.getDelta(prefix),
    ),
  };
  let crash = false;
  const runs: CompactionRunRepository = {
    getCompactionRun: sched((key) => world.runs.getCompactionRun(key)),
    createCompactionRun: (run) => world.runs.createCompactionRun(run),
    transitionCollection: sched(async (key, collection, transition) => {
      if (transition.to === 'COMPLETED' && crash) {
        crash = false;
        throw new TransientStoreError('invocation timed out after the merge');
      }
      return world.runs.transitionCollection(key, collection, transition);
    }),
  };
  const snapshots = brokenSnapshots(
    variant,
    {
      merge: sched((collection, vectors) => world.snapshots.merge(collection, vectors)),
      patch: sched((collection, patches) => world.snapshots.patch(collection, patches)),
      refresh: sched((collection, prefix, fieldsOf) => world.snapshots.refresh(collection, prefix, fieldsOf)),
      list: sched((collection, prefix) => world.snapshots.list(collection, prefix)),
    },
    world.deltas,
  );
  const deps: CompactBatchDeps = {
    runs,
    deltas,
    snapshots,
    clock: world.clock,
    telemetry,
    labels: { getLabels: sched((receipt) => world.labels.getLabels(receipt)) },
    merchantRecords: {
      getMerchantRecord: sched((receipt) => world.merchantRecords.getMerchantRecord(receipt)),
    },
    deadLetter: async (index, reason) => {
      throw new Error(`record ${index} dead-lettered: ${reason}`);
    },
  };

  // The lanes: each item always lands in the same one.
  const lanes: CompactionRecord[][] = Array.from({ length: s.lanes }, () => []);
  const laneOf = (item: string) =>
    [...`${item}${s.laneSalt}`].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) % 1_000_003, 7) %
    s.lanes;
  const append = (item: string, record: CompactionRecord) => lanes[laneOf(item)]?.push(record);
  const receiptRecord = (change: CompactionRecord & { change: unknown }) => change;
  let merchant: MerchantRecord = sampleMetadata(RECEIPT);
  let committed = false;
  const commit = async (edit: Edit) => {
    if (edit.kind === 'upload' || edit.kind === 'rerun') {
      const runId = edit.kind === 'upload' ? FIRST_RUN : SECOND_RUN;
      const key: CompactionRunKey = await world.upload(RECEIPT, sampleMetadata(RECEIPT), runId);
      append(
        `run#${runId}`,
        receiptRecord({ partitionKey: 'p', receipt: RECEIPT, change: { kind: 'run', run: key } }),
      );
    } else if (edit.kind === 'label') {
      const [lineId, wordId] = WORDS[edit.word] ?? WORDS[0];
      world.labels.put(sampleLabel(RECEIPT, lineId, wordId, edit.label, { validationStatus: edit.status }));
      append(
        `label#${lineId}#${wordId}#${edit.label}`,
        receiptRecord({ partitionKey: 'p', receipt: RECEIPT, change: { kind: 'labels' } }),
      );
    } else {
      const before = merchant;
      const { reasoningOnly, kind: _, ...fields } = edit;
      merchant = reasoningOnly
        ? { ...before, reasoning: `${before.reasoning ?? ''}+` }
        : (withoutUndefined({ ...before, ...fields }) as MerchantRecord);
      world.merchantRecords.put(merchant);
      const carried = MERCHANT_SNAPSHOT_FIELDS.some((field) => before[field] !== merchant[field]);
      append(
        'place',
        carried
          ? { partitionKey: 'p', receipt: RECEIPT, change: { kind: 'merchant' } }
          : { partitionKey: 'p', ignore: 'no carried field changed' },
      );
    }
  };
  const writer = async () => {
    world.merchantRecords.put(merchant);
    for (const edit of commitOrder(s)) {
      await scheduler.schedule(Promise.resolve());
      await commit(edit);
    }
    committed = true;
  };

  const steps = [...s.steps];
  const faults = [...s.faults];
  const givenUp: CompactionRecord[] = [];
  let batches = 0;
  const lane = async (records: CompactionRecord[]) => {
    let checkpoint = 0;
    let attempts = 0;
    for (;;) {
      if (checkpoint >= records.length) {
        if (committed) return;
        await scheduler.schedule(Promise.resolve());
        continue;
      }
      if (++batches > 400) throw new Error('delivery made no progress');
      const step: Step = steps.shift() ?? { batch: 4, lostCheckpoint: false };
      const batch = records.slice(checkpoint, checkpoint + step.batch);
      const fault = faults.shift() ?? 'none';
      if (fault === 'crash-before-completed') crash = true;
      if (fault === 'merge-transient') world.snapshots.mergeFaults.failNext(1, 'transient');
      if (fault === 'merge-permanent') world.snapshots.mergeFaults.failNext(1, 'permanent');
      if (fault === 'refresh-transient') world.snapshots.refreshFaults.failNext(1, 'transient');
      const { failures } = await compactBatch(deps, batch);
      const failedFrom = failures[0]?.index;
      if (failedFrom === undefined) {
        attempts = 0;
        if (!step.lostCheckpoint) checkpoint += batch.length;
        continue;
      }
      attempts = failedFrom > 0 ? 1 : attempts + 1;
      checkpoint += failedFrom;
      if (attempts > MAX_ATTEMPTS) {
        givenUp.push(...batch.slice(failedFrom));
        checkpoint += batch.length - failedFrom;
        attempts = 0;
      }
    }
  };
  await scheduler.waitFor(Promise.all([writer(), ...lanes.map((records) => lane(records))]));

  const prefix = receiptVectorPrefix(RECEIPT);
  const mine = (vectors: EmbeddingVector[]) => vectors.filter((vector) => vector.id.startsWith(prefix));
  const others = (vectors: EmbeddingVector[]) => vectors.filter((vector) => !vector.id.startsWith(prefix));
  const vectors = { lines: mine(world.snapshots.peek('lines')), words: mine(world.snapshots.peek('words')) };
  const merged = await mergeOfTableState(world);
  return {
    givenUp,
    vectors,
    neighbour: { lines: others(world.snapshots.peek('lines')), words: others(world.snapshots.peek('words')) },
    neighbourBefore: neighbour,
    expected: {
      lines: merged.lines.completed || vectors.lines.length > 0 ? merged.lines.vectors : [],
      words: merged.words.completed || vectors.words.length > 0 ? merged.words.vectors : [],
    },
  };
}

/**
 * The specification, computed directly from the stores: per collection, whether a run COMPLETED it, and its delta
 * with the fields of the final merchant record and labels.
 */
async function mergeOfTableState(world: ReturnType<typeof compactionWorld>) {
  const runs = [FIRST_RUN, SECOND_RUN].flatMap((runId) => {
    const run = world.runs.peek({ ...RECEIPT, runId });
    return run ? [run] : [];
  });
  const merchant = metadataVectorFields(await world.merchantRecords.getMerchantRecord(RECEIPT));
  const labels = await world.labels.getLabels(RECEIPT);
  const expected: Record<'lines' | 'words', { completed: boolean; vectors: EmbeddingVector[] }> = {
    lines: { completed: false, vectors: [] },
    words: { completed: false, vectors: [] },
  };
  for (const collection of COMPACTION_COLLECTIONS) {
    const state = (run: (typeof runs)[number]) => (collection === 'lines' ? run.linesState : run.wordsState);
    // Every run of the receipt has the same content, so any run's delta will do.
    const run = runs.find((candidate) => state(candidate) === 'COMPLETED') ?? runs.at(-1);
    if (!run) continue;
    const prefix = collection === 'lines' ? run.linesDeltaPrefix : run.wordsDeltaPrefix;
    const delta = (await world.deltas.getDelta(prefix)) ?? [];
    expected[collection].completed = state(run) === 'COMPLETED';
    expected[collection].vectors = delta
      .map((vector) => ({
        ...vector,
        metadata: {
          ...vector.metadata,
          ...merchant,
          ...(collection === 'words' &&
            labelVectorFields(labels.filter((label) => wordVectorId(label) === vector.id))),
        },
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }
  return expected;
}

/** The snapshot store as each variant sees it: the real one, or the real one with one thing changed. */
function brokenSnapshots(
  variant: Variant,
  store: EmbeddingSnapshotStore,
  deltas: EmbeddingDeltaStore,
): EmbeddingSnapshotStore {
  switch (variant) {
    case 'correct':
      return store;
    case 'retries-early-changes':
      // The original compactor: a change that finds no vector fails its record, to be retried until merged.
      return {
        ...store,
        refresh: async (collection, prefix, fieldsOf) => {
          const found = await store.refresh(collection, prefix, fieldsOf);
          if (found === 0) throw new TransientStoreError(`${prefix} is not merged yet: retry later`);
          return found;
        },
      };
    case 'merge-ignores-state':
      // Merges the delta as the upload built it, whatever the table holds now.
      return {
        ...store,
        merge: async (collection, vectors) => {
          const runs = [FIRST_RUN, SECOND_RUN].map((runId) => deltaPrefixes({ ...RECEIPT, runId }));
          const built = new Map<string, EmbeddingVector>();
          for (const prefixes of runs) {
            const prefix = collection === 'lines' ? prefixes.linesDeltaPrefix : prefixes.wordsDeltaPrefix;
            for (const vector of (await deltas.getDelta(prefix)) ?? []) built.set(vector.id, vector);
          }
          return store.merge(
            collection,
            vectors.map((vector) => built.get(vector.id) ?? vector),
          );
        },
      };
    case 'blind-refresh':
      // Reads, computes and patches without checking that nothing was written in between.
      return {
        ...store,
        refresh: async (collection, prefix, fieldsOf) => {
          const vectors = await store.list(collection, prefix);
          if (vectors.length === 0) return 0;
          const fields = await fieldsOf(vectors);
          await store.patch(
            collection,
            [...fields].map(([idPrefix, values]) => ({ idPrefix, fields: values })),
          );
          return vectors.length;
        },
      };
  }
}

function converges(variant: Variant) {
  return fc.asyncProperty(scenario, fc.scheduler(), async (s, scheduler) => {
    const result = await deliver(s, scheduler, variant);
    expect(result.givenUp).toEqual([]);
    expect(result.vectors).toEqual(result.expected);
    expect(result.neighbour).toEqual(result.neighbourBefore);
  });
}

// Each run delivers a few dozen records through several lanes: seconds for 200 runs on a loaded machine.
const SLOW = { timeout: 120_000 };
// The check stops at the first failure, without shrinking.
const BROKEN = { numRuns: 1_000, endOnFailure: true };

describe('compaction of a receipt whose records arrive through concurrent lanes, repeated and faulted', () => {
  it('ends with the vectors of a merge of the final table state, nothing given up on', SLOW, async () => {
    await assertProperty(converges('correct'));
  });

  it(
    'catches a compactor that retries changes arriving before the merge (or after a FAILED one)',
    SLOW,
    async () => {
      const result = await fc.check(converges('retries-early-changes'), BROKEN);
      expect(result.failed).toBe(true);
    },
  );

  it('catches a merge that builds the vectors from the delta alone, ignoring the table', SLOW, async () => {
    const result = await fc.check(converges('merge-ignores-state'), BROKEN);
    expect(result.failed).toBe(true);
  });
});

// Refreshes racing each other: label changes commit one after another, each starting the refresh its record would
// (records of different items run concurrently); the scheduler interleaves reads, computations and writes.
function racingRefreshesEndCurrent(variant: 'correct' | 'blind-refresh') {
  return fc.asyncProperty(
    fc.array(labelEdit, { minLength: 2, maxLength: 6 }),
    fc.scheduler(),
    async (edits, scheduler) => {
      const world = compactionWorld();
      await compactBatch({ ...world, telemetry: new RecordingTelemetry(), deadLetter: async () => {} }, [
        { partitionKey: 'p', receipt: RECEIPT, change: { kind: 'run', run: await world.upload() } },
      ]);
      const sched =
        <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
        (...args: A): Promise<R> =>
          scheduler.schedule(Promise.resolve()).then(() => fn(...args));
      const snapshots = brokenSnapshots(
        variant,
        {
          merge: sched((collection, vectors) => world.snapshots.merge(collection, vectors)),
          patch: sched((collection, patches) => world.snapshots.patch(collection, patches)),
          refresh: sched((collection, prefix, fieldsOf) =>
            world.snapshots.refresh(collection, prefix, fieldsOf),
          ),
          list: sched((collection, prefix) => world.snapshots.list(collection, prefix)),
        },
        world.deltas,
      );
      const deps = {
        snapshots,
        labels: { getLabels: sched((receipt: typeof RECEIPT) => world.labels.getLabels(receipt)) },
        merchantRecords: world.merchantRecords,
      };
      const refreshes: Promise<unknown>[] = [];
      const writer = async () => {
        for (const edit of edits) {
          await scheduler.schedule(Promise.resolve());
          if (edit.kind !== 'label') continue;
          const [lineId, wordId] = WORDS[edit.word] ?? WORDS[0];
          world.labels.put(
            sampleLabel(RECEIPT, lineId, wordId, edit.label, { validationStatus: edit.status }),
          );
          refreshes.push(refreshReceiptVectors(deps, RECEIPT, new Set(['labels'])));
        }
      };
      await scheduler.waitFor(writer().then(() => Promise.all(refreshes)));
      const labels = await world.labels.getLabels(RECEIPT);
      for (const vector of world.snapshots.peek('words')) {
        const own = labels.filter((label) => wordVectorId(label) === vector.id);
        expect(vector.metadata).toMatchObject(labelVectorFields(own));
      }
    },
  );
}

describe('refreshes of one receipt racing each other and the table', () => {
  it('leave every vector with the labels as they are last', SLOW, async () => {
    await assertProperty(racingRefreshesEndCurrent('correct'));
  });

  it('catches refreshes that write without a compare-and-set', SLOW, async () => {
    const result = await fc.check(racingRefreshesEndCurrent('blind-refresh'), BROKEN);
    expect(result.failed).toBe(true);
  });
});
