/**
 * Test-only: mutants of the real validateReceipt (and of the in-memory label store its idempotence rests on),
 * each putting back one bug, so the property tests can prove they catch it.
 */
import type { SourceMutant } from '../source-mutant.test-support.js';

const SAVE_LABELS = `const saved =
      labels.length === 0
        ? NOTHING_SAVED
        : await deps.labels.saveLabels(labels, decision === 'write_guarded' ? { requireCompleted: run } : {});`;
const CORRECT_METADATA = `const metadataChange: MetadataChange = aborted
      ? { status: 'skipped' }
      : await correctMetadata(deps, metadata, result.metadata, corrections.changes);`;

export const VALIDATION_MUTANTS = {
  writeBeforeRelease: {
    bug: 'takes the analysis returning for the release, writing before the gate has settled',
    edits: [
      {
        find: 'const [gated, analysed] = await Promise.allSettled([gating, analysing]);',
        replace: `const released = analysing.then(() => ({
      gate: { outcome: 'completed' as const, waitedMs: 0, polls: 0 },
      gateMs: 0,
    }));
    const [gated, analysed] = await Promise.allSettled([Promise.race([gating, released]), analysing]);`,
      },
    ],
  },
  metadataBeforeLabels: {
    bug: 'corrects the metadata before writing the labels',
    edits: [
      { find: SAVE_LABELS, replace: CORRECT_METADATA },
      {
        find: `// An abort during the label write: that write is done, but no other starts after it.
    ${CORRECT_METADATA}`,
        replace: SAVE_LABELS,
      },
    ],
  },
  failedTakenForTimeout: {
    bug: "ignores FAILED as the seed's wait did: a failed compaction looks like a timeout, and is written",
    edits: [
      {
        find: '(gate) => {\n          during',
        replace:
          "(real) => {\n          const gate = real.outcome === 'failed' ? { ...real, outcome: 'timed_out' as const } : real;\n          during",
      },
    ],
  },
  unguardedWhenCompleted: {
    bug: 'drops `requireCompleted`, so even a completed gate writes its labels unguarded',
    edits: [{ find: "decision === 'write_guarded' ? { requireCompleted: run } : {}", replace: '{}' }],
  },
  deadlineTimerLeft: {
    bug: 'never cancels the deadline timer once the analysis has settled',
    edits: [{ find: '.finally(() => deadlineTimer.abort());', replace: ';' }],
  },
  gateDeafToAbort: {
    bug: 'never gives the gate the stop signal: an abort or a failed analysis waits for the gate to end',
    edits: [{ find: '{ signal: stopGate.signal, ...(deadlineAt', replace: '{ ...(deadlineAt' }],
  },
  analysisFailureKeepsGate: {
    bug: 'a failed analysis does not stop the gate',
    edits: [{ find: 'stopGate.abort(error);\n          throw error;', replace: 'throw error;' }],
  },
  gateFailureKeepsAnalysis: {
    bug: 'a gate that fails for good does not stop the analysis',
    edits: [{ find: "letAnalysisGo('stopped', error);\n          throw error;", replace: 'throw error;' }],
  },
  deadlineIgnored: {
    bug: 'never lets the analysis go at the deadline: an analyzer that ignores its signal holds the validation',
    edits: [
      {
        find: "() => letAnalysisGo('overran', new Error('the validation deadline passed'))",
        replace: '() => {}',
      },
    ],
  },
  abortNotRecorded: {
    bug: 'an abort after the gate settled is reported as an ordinary skip, without the abort',
    edits: [
      {
        find: "if (aborted) return settleAborted(policy, report({ ...parts, decision: 'skip', aborted }), signal);",
        replace: '',
      },
    ],
  },
  abortRejects: {
    bug: 'an abort that catches the analysis running rejects with the abort reason, as before issue 7',
    edits: [
      {
        find: 'if (analysisStop !== undefined) return { outcome: analysisStop };',
        replace:
          "if (analysisStop !== undefined && analysisStop !== 'aborted') return { outcome: analysisStop };",
      },
    ],
  },
  writesAfterAbort: {
    bug: 'goes on to correct the metadata after an abort during the label write',
    edits: [
      { find: "aborted\n      ? { status: 'skipped' }", replace: "false\n      ? { status: 'skipped' }" },
    ],
  },
  unchangedCorrectionWritten: {
    bug: 'writes a correction equal to the value read',
    edits: [{ find: '} else if (value !== metadata[field]) {', replace: '} else {' }],
  },
  emptyCorrectionWritten: {
    bug: 'accepts an empty correction',
    edits: [{ find: " || value.trim() === ''", replace: '' }],
  },
  anyFieldCorrected: {
    bug: 'accepts a correction of any field',
    edits: [{ find: 'if (!isCorrectableField(field)) {', replace: 'if (false) {' }],
  },
} satisfies Record<string, SourceMutant>;

export type ValidationMutantName = keyof typeof VALIDATION_MUTANTS;

export const LABEL_STORE_MUTANTS = {
  overwriteDecided: {
    bug: 'overwrites a label someone decided, putting it back to PENDING',
    edits: [
      {
        find: 'frozen.push({ ...proposal });',
        replace: 'frozen.push({ ...proposal });\n        this.#labels.set(wordLabelId(proposal), proposal);',
      },
    ],
  },
} satisfies Record<string, SourceMutant>;
