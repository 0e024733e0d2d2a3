import type { PipelineMutant } from './mutant-loader.js';

const VALIDATE = 'packages/core/src/validation/validate-receipt.ts';
const GATE = 'packages/core/src/gate/polling-compaction-gate.ts';
const LABEL_STORE = 'packages/core/src/testing/in-memory-label-repository.ts';
const COMPACT_BATCH = 'packages/core/src/compaction/compaction-batch.ts';
const COMPACT_RUN = 'packages/core/src/compaction/compact-run.ts';
const DISPATCHER = 'apps/lambda/src/handlers/dispatcher/dispatcher-handler.ts';
const CONTAINER = 'apps/lambda/src/container/create-container.ts';

/** A workload without faults: what any mutant breaking the ordinary flow breaks. */
export const CALM = { receipts: 40, seed: 1, profile: 'none' } as const;
/** A workload with many faults (timeouts, lost deltas, overruns, people deciding labels early). */
export const STORMY = { receipts: 200, seed: 3, profile: 'heavy' } as const;
/**
 * The same storm on another seed: one where a change reaches the table between an upload and its merge and no later
 * refresh of that receipt repairs the vectors, which is what a merge blind to the table needs to show.
 */
export const STORMY_SEED_2 = { ...STORMY, seed: 2 } as const;

/**
 * Broken variants of the real code, each paired with the invariant that must catch it and a workload that shows
 * it. The edits name today's code: when that code changes, its mutant fails to load, naming the text it misses.
 */
export const PIPELINE_MUTANTS = {
  unguardedWhenCompleted: {
    bug: 'drops `requireCompleted`: a completed gate writes its labels unguarded',
    caughtBy: 'unguarded-writes',
    message: /wrote labels unguarded although the gate completed/,
    file: VALIDATE,
    edits: [{ find: "decision === 'write_guarded' ? { requireCompleted: run } : {}", replace: '{}' }],
    via: [CONTAINER],
    run: CALM,
  },
  labelsWrittenOnFailed: {
    bug: "takes a FAILED compaction for a timeout, as the seed's waiter did: labels are written on FAILED",
    caughtBy: 'unguarded-writes',
    message: /wrote labels after the gate ended failed/,
    file: VALIDATE,
    edits: [
      {
        find: '(gate) => {\n          during',
        replace:
          "(real) => {\n          const gate = real.outcome === 'failed' ? { ...real, outcome: 'timed_out' as const } : real;\n          during",
      },
    ],
    via: [CONTAINER],
    run: STORMY,
  },
  unguardedWriteNotCounted: {
    bug: 'writes unguarded after a timeout without counting it (no UnguardedLabelWrites)',
    caughtBy: 'unguarded-writes',
    message: /without reporting and counting it/,
    file: VALIDATE,
    edits: [{ find: "telemetry.metric('UnguardedLabelWrites', 1, 'Count');", replace: '' }],
    via: [CONTAINER],
    run: STORMY,
  },
  metadataBeforeLabels: {
    bug: 'corrects the merchant record before writing the labels',
    caughtBy: 'metadata-after-labels',
    message: /wrote labels after correcting the merchant record/,
    file: VALIDATE,
    edits: [
      {
        find: `const saved =
      labels.length === 0
        ? NOTHING_SAVED
        : await deps.labels.saveLabels(labels, decision === 'write_guarded' ? { requireCompleted: run } : {});
    // An abort during the label write: that write is done, but no other starts after it.
    const metadataChange: MetadataChange = aborted
      ? { status: 'skipped' }
      : await correctMetadata(deps, metadata, result.metadata, corrections.changes);`,
        replace: `const metadataChange: MetadataChange = aborted
      ? { status: 'skipped' }
      : await correctMetadata(deps, metadata, result.metadata, corrections.changes);
    const saved =
      labels.length === 0
        ? NOTHING_SAVED
        : await deps.labels.saveLabels(labels, decision === 'write_guarded' ? { requireCompleted: run } : {});`,
      },
    ],
    via: [CONTAINER],
    run: CALM,
  },
  deadlineIgnored: {
    bug: 'never lets an analysis go at the deadline: an analyzer that ignores its signal holds the validation',
    caughtBy: 'validation-deadline',
    message: /timed out while validating|after its deadline/,
    file: VALIDATE,
    edits: [
      {
        find: "() => letAnalysisGo('overran', new Error('the validation deadline passed'))",
        replace: '() => {}',
      },
    ],
    via: [CONTAINER],
    run: STORMY,
  },
  deadlineTimerLeft: {
    bug: 'never cancels the deadline timer once the analysis has settled',
    caughtBy: 'quiet-after-gate',
    message: /timers pending after its validation settled/,
    file: VALIDATE,
    edits: [{ find: '.finally(() => deadlineTimer.abort());', replace: ';' }],
    via: [CONTAINER],
    run: CALM,
  },
  readTimerLeft: {
    bug: "never disarms the gate's per-read timeout, so a timer outlives every read",
    caughtBy: 'quiet-after-gate',
    message: /timers pending after its validation settled/,
    file: GATE,
    edits: [{ find: 'stopTimer.abort(READ_SETTLED);', replace: '' }],
    via: [CONTAINER],
    run: CALM,
  },
  readsAfterSettling: {
    bug: 'confirms a completed run with one more read after the gate settled',
    caughtBy: 'quiet-after-gate',
    message: /read the run after its gate settled/,
    file: GATE,
    edits: [
      {
        find: "if (read.run && isCompactionCompleted(read.run)) return settle('completed', undefined);",
        replace:
          "if (read.run && isCompactionCompleted(read.run)) {\n          const done = settle('completed', undefined);\n          await this.#read(key, signal);\n          return done;\n        }",
      },
    ],
    via: [CONTAINER],
    run: CALM,
  },
  decidedLabelOverwritten: {
    bug: 'the label store overwrites a label a person decided, putting it back to PENDING',
    caughtBy: 'decided-labels',
    message: /decided (VALID|INVALID|NEEDS_REVIEW), to PENDING/,
    file: LABEL_STORE,
    edits: [
      {
        find: 'frozen.push({ ...proposal });',
        replace: 'frozen.push({ ...proposal });\n        this.#labels.set(wordLabelId(proposal), proposal);',
      },
    ],
    via: [],
    run: STORMY,
  },
  labelChangesDropped: {
    bug: 'acknowledges label records without refreshing the word vectors',
    caughtBy: 'changes-reach-vectors',
    message: /label_status is/,
    file: COMPACT_BATCH,
    edits: [{ find: "if (byPart('labels').length > 0) parts.add('labels');", replace: '' }],
    via: [DISPATCHER, CONTAINER],
    run: CALM,
  },
  merchantChangesDropped: {
    bug: 'acknowledges merchant record changes without the second compaction (no vector follows them)',
    caughtBy: 'changes-reach-vectors',
    message: /merchant_name is/,
    file: COMPACT_BATCH,
    edits: [{ find: "if (byPart('merchant').length > 0) parts.add('merchant');", replace: '' }],
    via: [DISPATCHER, CONTAINER],
    run: CALM,
  },
  mergeIgnoresCurrentState: {
    bug: "a merge that takes the delta's fields as they were at upload, ignoring the table's current state",
    caughtBy: 'changes-reach-vectors',
    message: / is .+, the table says /,
    file: COMPACT_RUN,
    edits: [
      {
        find: "metadata: { ...vector.metadata, ...stateFields(state, vector.id, collection === 'words') },",
        replace: 'metadata: { ...vector.metadata },',
      },
    ],
    via: [COMPACT_BATCH, DISPATCHER, CONTAINER],
    run: STORMY_SEED_2,
  },
  earlyChangesRetriedForever: {
    bug: 'the compactor retries a change for a receipt not merged yet instead of deferring it to the merge',
    caughtBy: 'records-settle',
    message: /not merged yet/,
    file: COMPACT_BATCH,
    edits: [
      {
        find: 'deferred.push(...records);',
        replace:
          "throw new Error(records.length + ' ' + change + ' changes: the receipt is not merged yet');",
      },
    ],
    via: [DISPATCHER, CONTAINER],
    run: STORMY,
  },
  unfinishedCompactionAcknowledged: {
    bug: 'acknowledges a run record whose compaction a transient error left unfinished (the error swallowed at the stream)',
    caughtBy: 'records-settle',
    message: /its compaction never settled/,
    file: COMPACT_BATCH,
    edits: [
      {
        find: 'if (result.retry) throw new CompactionRetryError(run, result);',
        replace: '',
      },
    ],
    via: [DISPATCHER, CONTAINER],
    run: STORMY,
  },
  settledRunsNotDispatched: {
    bug: 'the dispatcher acknowledges a settled run without handing it to the validation',
    caughtBy: 'receipts-validated',
    message: /it was never validated/,
    file: COMPACT_BATCH,
    edits: [{ find: 'for (const run of settled) await dispatch(run);', replace: 'void dispatch;' }],
    via: [DISPATCHER, CONTAINER],
    run: CALM,
  },
} satisfies Record<string, PipelineMutant>;

export type PipelineMutantName = keyof typeof PIPELINE_MUTANTS;
