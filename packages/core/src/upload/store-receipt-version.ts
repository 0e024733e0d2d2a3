import { buildEmbeddingDeltas } from '../compaction/build-embedding-deltas.js';
import { deltaPrefixes, lineVectorId, receiptVectorPrefix, wordVectorId } from '../compaction/vector-ids.js';
import { type CompactionRun, type CompactionRunKey, newCompactionRun } from '../domain/compaction-run.js';
import { COMPACTION_COLLECTIONS } from '../domain/compaction-state.js';
import { isDecidedStatus } from '../domain/label-validation-status.js';
import { parseReceiptRef } from '../domain/receipt-ref.js';
import { type ReceiptLine, sameTextContent } from '../domain/receipt-text.js';
import { toTimestamp } from '../domain/timestamps.js';
import type { ReceiptWordLabel } from '../domain/word-label.js';
import { ReceiptVersionRefusedError } from '../errors/receipt-version-refused-error.js';
import { UploadNotStoredError } from '../errors/upload-not-stored-error.js';
import type { Clock } from '../ports/clock.js';
import type { CompactionGate } from '../ports/compaction-gate.js';
import type { Embedder, EmbeddingDeltaStore, EmbeddingSnapshotStore } from '../ports/embedding-store.js';
import type {
  ReceiptVersion,
  ReceiptVersionLease,
  ReceiptVersionStore,
  StoredReceipt,
} from '../ports/receipt-version-store.js';
import type { Telemetry } from '../ports/telemetry.js';
import { NOOP_TELEMETRY } from '../telemetry/noop-telemetry.js';

export interface StoreReceiptVersionDeps {
  readonly versions: ReceiptVersionStore;
  readonly deltas: EmbeddingDeltaStore;
  readonly snapshots: EmbeddingSnapshotStore;
  readonly embedder: Embedder;
  /** Waits for the compaction of a version being replaced. */
  readonly gate: CompactionGate;
  readonly clock: Clock;
  readonly telemetry?: Telemetry;
}

export interface StoreReceiptVersionRequest {
  /** A version as `ReceiptVersionStore.check` returned it, without problems. */
  readonly version: ReceiptVersion;
  /** The run id of this content (derived from it by the caller, so the same content always has the same run). */
  readonly runId: string;
  /** Epoch ms: the latest moment to wait until, for another upload of the receipt or a compaction to finish. */
  readonly deadlineAt: number;
}

export type StoreOutcome = 'created' | 'replaced' | 'unchanged';

export interface StoreReceiptVersionResult {
  readonly outcome: StoreOutcome;
  readonly run: CompactionRunKey;
  /** What the replaced version held that this one does not. */
  readonly removed: {
    readonly lines: number;
    readonly words: number;
    readonly labels: number;
    readonly vectors: number;
  };
  /** Labels a person decided on words whose text changed: kept (the decision was about the word at that place). */
  readonly decidedLabelsKept: readonly ReceiptWordLabel[];
}

/** Rounds of "wait for the replaced version's compaction, take the lease" before replacing regardless. */
const MAX_ROUNDS = 3;

/**
 * Stores an upload as its receipt's one version, all or nothing from the pipeline's point of view: the run, whose
 * creation starts the compaction, is written last, and a failure before it undoes every write of the upload
 * (`UploadNotStoredError`).
 *
 * - The same content again (lines and words as stored, and its run present) is a no-op returning that run, also
 *   when it races the upload that stored it: it waits for that upload's lease, then finds it done.
 * - Other content replaces the receipt's: new and changed lines and words are written, missing ones deleted, a new
 *   run created (an earlier run of the same content is created afresh), and vectors of lines and words the version
 *   no longer has are removed from the snapshots. It waits first for the compaction of the version it replaces, so
 *   that one cannot merge its vectors after this one's.
 * - Labels: those on kept words stay. On a word whose text changed, undecided labels (NONE, PENDING) are removed
 *   and decided ones (VALID, INVALID, NEEDS_REVIEW) kept and reported. A word that would be dropped while it holds
 *   a decided label refuses the whole upload (`ReceiptVersionRefusedError`), so a person's decision is never
 *   deleted by an upload; undecided labels of dropped words go with them.
 * - The merchant record is created when the receipt has none; one it has (corrected since, maybe) is kept, and
 *   the vectors carry that one.
 * - Concurrent uploads of one receipt take turns on its lease; each replaces the whole content, so the receipt
 *   ends as the last one left it, never as a mix.
 */
export async function storeReceiptVersion(
  deps: StoreReceiptVersionDeps,
  request: StoreReceiptVersionRequest,
): Promise<StoreReceiptVersionResult> {
  const { version, runId, deadlineAt } = request;
  const receipt = parseReceiptRef(version.receipt);
  const key: CompactionRunKey = { ...receipt, runId };
  const waited = new Set<string>();
  for (let round = 1; ; round++) {
    const before = await deps.versions.read(receipt);
    if (isCurrent(before, version, runId)) return unchanged(deps, version, key);
    const replaced = unsettledRuns(before, runId);
    await waitForCompaction(deps, replaced, deadlineAt);
    for (const run of replaced) waited.add(run.runId);

    const lease = await deps.versions.lease(receipt, { waitUntil: deadlineAt });
    const late = unsettledRuns(lease.stored, runId).filter((run) => !waited.has(run.runId));
    if (late.length > 0 && round < MAX_ROUNDS && deps.clock.now() < deadlineAt) {
      // Another upload replaced the receipt meanwhile: wait for its compaction too before replacing it.
      await lease.release();
      continue;
    }
    return replaceUnderLease(deps, lease, version, key);
  }
}

async function replaceUnderLease(
  deps: StoreReceiptVersionDeps,
  lease: ReceiptVersionLease,
  version: ReceiptVersion,
  key: CompactionRunKey,
): Promise<StoreReceiptVersionResult> {
  const telemetry = deps.telemetry ?? NOOP_TELEMETRY;
  let result: Omit<StoreReceiptVersionResult, 'removed'> & {
    readonly removed: Omit<StoreReceiptVersionResult['removed'], 'vectors'>;
  };
  try {
    const stored = lease.stored;
    if (isCurrent(stored, version, key.runId)) return await unchanged(deps, version, key);
    const plan = labelPlan(stored, version);
    if (plan.refused.length > 0) throw new ReceiptVersionRefusedError(plan.refused);

    // Everything that can fail without a write comes first: the embeddings, and the run as it will be written.
    const metadata = stored.hasMerchantRecord ? stored.metadata : version.metadata;
    const vectors = await buildEmbeddingDeltas(deps.embedder, {
      receipt: version.receipt,
      lines: version.lines,
      words: version.words,
      ...(metadata && { metadata }),
    });
    const prefixes = deltaPrefixes(key);
    const run = newCompactionRun({ ...key, ...prefixes, createdAt: toTimestamp(deps.clock.now()) });
    await write(deps, lease, {
      version,
      labels: plan.remove,
      run,
      vectors,
      rerun: hasRun(stored, key.runId),
    });

    const created = stored.lines.length + stored.words.length + stored.runs.length === 0;
    const dropped = <T>(items: readonly T[], kept: readonly T[], id: (item: T) => string) =>
      items.filter((item) => !kept.some((other) => id(other) === id(item))).length;
    result = {
      outcome: created ? 'created' : 'replaced',
      run: key,
      removed: {
        lines: dropped(stored.lines, version.lines, lineKey),
        words: dropped(stored.words, version.words, wordKey),
        labels: plan.remove.length,
      },
      decidedLabelsKept: plan.kept,
    };
  } finally {
    await lease.release().catch(() => undefined);
  }
  const vectorsRemoved = await removeStaleVectors(deps, version);
  telemetry.event({
    type: 'upload.stored',
    run: key,
    outcome: result.outcome,
    lines: version.lines.length,
    words: version.words.length,
  });
  return { ...result, removed: { ...result.removed, vectors: vectorsRemoved } };
}

/**
 * The writes of a replacement, content first and the run last. A failure before the run exists undoes what was
 * written (the deltas only when no run of this content existed before, which would still need them).
 */
async function write(
  deps: StoreReceiptVersionDeps,
  lease: ReceiptVersionLease,
  writes: {
    version: ReceiptVersion;
    labels: readonly ReceiptWordLabel[];
    run: CompactionRun;
    vectors: Awaited<ReturnType<typeof buildEmbeddingDeltas>>;
    rerun: boolean;
  },
): Promise<void> {
  const { version, run, vectors } = writes;
  const putDeltas: string[] = [];
  try {
    await lease.writeContent(version, writes.labels);
    for (const [prefix, delta] of [
      [run.linesDeltaPrefix, vectors.lines],
      [run.wordsDeltaPrefix, vectors.words],
    ] as const) {
      // Noted before the call: a put that failed may still have landed.
      putDeltas.push(prefix);
      await deps.deltas.putDelta(prefix, delta);
    }
    // Stamped as it is written: the run exists from now (its age, and a compaction's latency, count from here).
    await lease.writeRun({ ...run, createdAt: toTimestamp(deps.clock.now()) });
  } catch (error) {
    const undone = await Promise.allSettled([
      ...(writes.rerun ? [] : putDeltas.map((prefix) => deps.deltas.deleteDelta(prefix))),
      lease.rollback(),
    ]);
    const rolledBack = undone.every((outcome) => outcome.status === 'fulfilled');
    (deps.telemetry ?? NOOP_TELEMETRY).event({
      type: 'upload.failed',
      receipt: version.receipt,
      rolledBack,
      error: error instanceof Error ? error.message : String(error),
    });
    throw new UploadNotStoredError(version.receipt, rolledBack, { cause: error });
  }
}

/** The labels a replacement removes, keeps and is refused for. */
function labelPlan(stored: StoredReceipt, version: ReceiptVersion) {
  const next = new Map(version.words.map((word) => [wordKey(word), word]));
  const before = new Map(stored.words.map((word) => [wordKey(word), word]));
  const remove: ReceiptWordLabel[] = [];
  const kept: ReceiptWordLabel[] = [];
  const refused: string[] = [];
  for (const label of stored.labels) {
    const id = wordKey(label);
    const word = next.get(id);
    const old = before.get(id);
    const decided = isDecidedStatus(label.validationStatus);
    if (word === undefined) {
      // A label whose word the receipt never had (another service's) is not ours to judge.
      if (old === undefined) continue;
      if (decided) {
        refused.push(
          `words: word ${id} (${JSON.stringify(old.text)}) is not in this upload, but it carries the label ${label.label} a person decided (${label.validationStatus}); upload it again or clear the label first`,
        );
      } else remove.push(label);
    } else if (old !== undefined && old.text !== word.text) {
      if (decided) kept.push(label);
      else remove.push(label);
    }
  }
  return { remove, kept, refused };
}

/** Whether the receipt holds exactly this version's lines and words (items nobody can read aside) and its run. */
function isCurrent(stored: StoredReceipt, version: ReceiptVersion, runId: string): boolean {
  if (!hasRun(stored, runId)) return false;
  const unreadable = new Set(stored.unreadable);
  const same = <T extends ReceiptLine>(a: readonly T[], b: readonly T[], id: (item: T) => string) => {
    const readable = (items: readonly T[]) => items.filter((item) => !unreadable.has(id(item)));
    const left = readable(a);
    const right = new Map(readable(b).map((item) => [id(item), item]));
    return (
      left.length === right.size &&
      left.every((item) => {
        const other = right.get(id(item));
        return other !== undefined && sameTextContent(item, other);
      })
    );
  };
  return same(stored.lines, version.lines, lineKey) && same(stored.words, version.words, wordKey);
}

function hasRun(stored: StoredReceipt, runId: string): boolean {
  return stored.runs.some((run) => run.runId === runId);
}

/** Runs of other content whose compaction has not finished (either collection PENDING or PROCESSING). */
function unsettledRuns(stored: StoredReceipt, runId: string): CompactionRun[] {
  const settled = (state: CompactionRun['linesState']) => state === 'COMPLETED' || state === 'FAILED';
  return stored.runs.filter(
    (run) => run.runId !== runId && !(settled(run.linesState) && settled(run.wordsState)),
  );
}

async function waitForCompaction(
  deps: StoreReceiptVersionDeps,
  runs: readonly CompactionRun[],
  deadlineAt: number,
): Promise<void> {
  const results = await Promise.all(
    runs.map(async (run) => ({ run, result: await deps.gate.waitForCompaction(run, { deadlineAt }) })),
  );
  for (const { run, result } of results) {
    if (result.outcome !== 'completed' && result.outcome !== 'failed') {
      (deps.telemetry ?? NOOP_TELEMETRY).event({
        type: 'upload.replacing_unsettled',
        run: { imageId: run.imageId, receiptId: run.receiptId, runId: run.runId },
        outcome: result.outcome,
      });
    }
  }
}

async function unchanged(
  deps: StoreReceiptVersionDeps,
  version: ReceiptVersion,
  key: CompactionRunKey,
): Promise<StoreReceiptVersionResult> {
  // An earlier upload of this content may have failed to remove the vectors it replaced: done again here.
  const vectors = await removeStaleVectors(deps, version);
  (deps.telemetry ?? NOOP_TELEMETRY).event({
    type: 'upload.stored',
    run: key,
    outcome: 'unchanged',
    lines: version.lines.length,
    words: version.words.length,
  });
  return {
    outcome: 'unchanged',
    run: key,
    removed: { lines: 0, words: 0, labels: 0, vectors },
    decidedLabelsKept: [],
  };
}

/**
 * Removes the receipt's vectors of lines and words this version does not have. The version's own vectors are
 * merged by its compaction; these would otherwise stay in the snapshots for good. A failure here is reported and
 * left for the next upload of the receipt: the version itself is stored.
 */
async function removeStaleVectors(deps: StoreReceiptVersionDeps, version: ReceiptVersion): Promise<number> {
  const keep = {
    lines: new Set(version.lines.map((line) => lineVectorId(line))),
    words: new Set(version.words.map((word) => wordVectorId(word))),
  };
  const prefix = receiptVectorPrefix(version.receipt);
  try {
    const removed = await Promise.all(
      COMPACTION_COLLECTIONS.map(async (collection) => {
        const stale = (await deps.snapshots.list(collection, prefix))
          .map((vector) => vector.id)
          .filter((id) => !keep[collection].has(id));
        return stale.length === 0 ? 0 : deps.snapshots.remove(collection, stale);
      }),
    );
    return removed.reduce((sum, count) => sum + count, 0);
  } catch (error) {
    (deps.telemetry ?? NOOP_TELEMETRY).event({
      type: 'upload.stale_vectors_left',
      receipt: version.receipt,
      error: error instanceof Error ? error.message : String(error),
    });
    return 0;
  }
}

const lineKey = (line: { lineId: number }) => String(line.lineId);
const wordKey = (word: { lineId: number; wordId: number }) => `${word.lineId}/${word.wordId}`;
