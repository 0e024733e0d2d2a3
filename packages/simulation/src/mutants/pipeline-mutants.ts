import type { PipelineMutant } from './mutant-loader.js';

const VALIDATE = 'packages/core/src/validation/validate-receipt.ts';
const GATE = 'packages/core/src/gate/polling-compaction-gate.ts';
const LABEL_STORE = 'packages/core/src/testing/in-memory-label-repository.ts';
const METADATA_PATCH = 'packages/core/src/compaction/apply-metadata-to-snapshots.ts';
const COMPACTION_HANDLER = 'apps/lambda/src/handlers/compaction-handler.ts';
const CONTAINER = 'apps/lambda/src/container/create-container.ts';

/** A workload without faults: what any mutant breaking the ordinary flow breaks. */
export const CALM = { receipts: 40, seed: 1, profile: 'none' } as const;
/** A workload with many faults (timeouts, lost deltas, overruns, people deciding labels early). */
export const STORMY = { receipts: 200, seed: 3, profile: 'heavy' } as const;

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
    file: COMPACTION_HANDLER,
    edits: [
      {
        find: "await retryLaterWhenNotMerged(word, 'labels', () => refreshWordLabelFields(deps, word, labels));",
        replace: 'void labels;',
      },
    ],
    via: [CONTAINER],
    run: CALM,
  },
  merchantChangesDropped: {
    bug: 'the second compaction takes every merchant change for one that touches no vector field',
    caughtBy: 'changes-reach-vectors',
    message: /merchant_name is/,
    file: METADATA_PATCH,
    edits: [
      {
        find: 'if (before && MERCHANT_SNAPSHOT_FIELDS.every((field) => before[field] === after[field])) {',
        replace: 'if (before) {',
      },
    ],
    via: [COMPACTION_HANDLER, CONTAINER],
    run: CALM,
  },
  labelChangesRetriedForever: {
    bug: 'the compactor retries every label change, as if its receipt were never merged',
    caughtBy: 'records-settle',
    message: /RetryLaterError: not merged/,
    file: COMPACTION_HANDLER,
    edits: [
      {
        find: "await retryLaterWhenNotMerged(word, 'labels', () => refreshWordLabelFields(deps, word, labels));",
        replace:
          "await retryLaterWhenNotMerged(word, 'labels', async () => {\n        throw new RetryLaterError('not merged: ' + labels.length + ' labels');\n      });",
      },
    ],
    via: [CONTAINER],
    run: CALM,
  },
  unfinishedCompactionAcknowledged: {
    bug: 'acknowledges a run record whose compaction a transient error left unfinished (the error swallowed at the stream)',
    caughtBy: 'records-settle',
    message: /its compaction never settled/,
    file: COMPACTION_HANDLER,
    edits: [
      {
        find: 'if (result.retry) throw new RetryLaterError(',
        replace: 'if (false) throw new RetryLaterError(',
      },
    ],
    via: [CONTAINER],
    run: STORMY,
  },
} satisfies Record<string, PipelineMutant>;

export type PipelineMutantName = keyof typeof PIPELINE_MUTANTS;
