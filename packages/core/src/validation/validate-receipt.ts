import { type CompactionRunKey, parseCompactionRunKey } from '../domain/compaction-run.js';
import { describeValue } from '../domain/ids.js';
import {
  correctMerchantRecord,
  isCorrectableField,
  type MerchantCorrection,
} from '../domain/merchant-correction.js';
import type { MerchantRecord } from '../domain/merchant-record.js';
import { toTimestamp } from '../domain/timestamps.js';
import { GateOutcomeError } from '../errors/gate-outcome-error.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { ValidationAbortedError } from '../errors/validation-aborted-error.js';
import type { Clock } from '../ports/clock.js';
import type { CompactionGate, GateResult } from '../ports/compaction-gate.js';
import type { LabelRepository, SaveLabelsResult } from '../ports/label-repository.js';
import type { MerchantRecordRepository } from '../ports/merchant-record-repository.js';
import type {
  AnalysisOutcome,
  MetadataVerdict,
  ReceiptAnalysis,
  ReceiptAnalyzer,
} from '../ports/receipt-analyzer.js';
import type { ReceiptContent, ReceiptRepository } from '../ports/receipt-repository.js';
import type { Telemetry } from '../ports/telemetry.js';
import { NOOP_TELEMETRY } from '../telemetry/noop-telemetry.js';
import { type OutcomePolicy, resolveOutcomePolicy } from './outcome-policy.js';
import { proposalsToLabels } from './proposals-to-labels.js';
import type {
  AbortRecord,
  MetadataChange,
  RejectedCorrection,
  ValidationReport,
  WriteDecision,
} from './validation-report.js';

export interface ValidateReceiptDeps {
  readonly gate: CompactionGate;
  readonly analyzer: ReceiptAnalyzer;
  readonly receipts: ReceiptRepository;
  readonly metadata: MerchantRecordRepository;
  readonly labels: LabelRepository;
  readonly clock: Clock;
  readonly telemetry?: Telemetry;
  readonly policy?: Partial<OutcomePolicy>;
}

export interface ValidateReceiptRequest {
  /** The compaction run of the receipt's embeddings; its image and receipt are the receipt validated. */
  readonly run: CompactionRunKey;
  /** The caller's abort; see validateReceipt for what it returns at each point in time. */
  readonly signal?: AbortSignal;
  /** Epoch ms (finite): caps the gate's wait and bounds the analysis. */
  readonly deadlineAt?: number;
}

interface Analysed {
  readonly content: ReceiptContent;
  readonly metadata: MerchantRecord | undefined;
  readonly analysis: ReceiptAnalysis;
  readonly analysisMs: number;
}

/** What the analysis side ended with: its result, or why it was let go. */
type AnalysisResult =
  | { readonly outcome: 'returned'; readonly analysed: Analysed }
  | { readonly outcome: Exclude<AnalysisOutcome, 'returned'>; readonly analysed?: undefined };

/** Metadata corrections as the analyzer proposed them, split into those to apply and those refused. */
interface CheckedCorrections {
  readonly proposed: number;
  readonly changes: MerchantCorrection;
  readonly rejected: readonly RejectedCorrection[];
}

const NO_CORRECTIONS: CheckedCorrections = { proposed: 0, changes: {}, rejected: [] };
const NOTHING_SAVED: SaveLabelsResult = { written: [], alreadyPresent: [], frozen: [] };

/**
 * Validates one receipt: waits for its compaction while the analysis runs (it only reads), then, per the gate's
 * outcome and the policy, writes the labels (guarded by the run being COMPLETED when it is) and after them the
 * metadata correction. Nothing is written before the gate has settled.
 *
 * Time: with a `deadlineAt`, the analysis is raced against it whatever the analyzer does with its signal: one
 * still running then is let go (`analysis.outcome: 'overran'`, counted by `AnalysisOverruns`) and nothing is
 * written from it. The gate stops reading at the deadline, but its last read may take up to its `pollTimeoutMs`,
 * so the writes start at the latest `pollTimeoutMs` after `deadlineAt`. When the gate's outcome means nothing will
 * be written (skip or fail), the analysis is let go at once (`'stopped'`).
 *
 * A caller abort, at any point, settles promptly and writes nothing that had not started: no write begins after
 * it, and a label write already in flight (it cannot be recalled) is awaited and reported. The result records the
 * abort (`aborted`: when, and whether the gate was still waiting, the analysis had not been used, or the writes
 * had begun) and is, per the outcome policy's `aborted` action, always a report (`skip`, the default; `decision`
 * is `skip` unless the writes had begun) or always a ValidationAbortedError carrying that report (`fail`).
 *
 * Bad input (a malformed run key, a `deadlineAt` that is not a finite number, a bad outcome policy) is refused
 * with InvalidValueError before anything is read. Analyzer output is untrusted: proposals and metadata
 * corrections that do not fit are dropped and reported, never an error once writing has begun.
 */
export async function validateReceipt(
  deps: ValidateReceiptDeps,
  request: ValidateReceiptRequest,
): Promise<ValidationReport> {
  const { clock, telemetry = NOOP_TELEMETRY } = deps;
  const policy = resolveOutcomePolicy(deps.policy);
  const { run, deadlineAt } = checkedRequest(request);
  // Without a caller signal, one that never aborts: the same code serves both.
  const signal = request.signal ?? new AbortController().signal;
  const startedAt = clock.now();
  const since = () => clock.now() - startedAt;

  const stopGate = new AbortController();
  const stopAnalysis = new AbortController();
  let analysisStop: Exclude<AnalysisOutcome, 'returned'> | undefined;
  const letAnalysisGo = (why: Exclude<AnalysisOutcome, 'returned'>, reason: unknown) => {
    analysisStop ??= why;
    stopAnalysis.abort(reason);
  };

  let during: AbortRecord['during'] = 'gate';
  let aborted: AbortRecord | undefined;
  const onCallerAbort = () => {
    aborted = { afterMs: since(), during };
    stopGate.abort(signal.reason);
    letAnalysisGo('aborted', signal.reason);
  };
  // Heard once: an already-aborted signal fires no event, and the listener goes when the validation settles.
  if (signal.aborted) onCallerAbort();
  else signal.addEventListener('abort', onCallerAbort);

  try {
    const gating = deps.gate
      .waitForCompaction(run, { signal: stopGate.signal, ...(deadlineAt !== undefined && { deadlineAt }) })
      .then(
        (gate) => {
          during = 'analysis';
          if (!writesOn(gate, policy)) letAnalysisGo('stopped', new Error(`the gate ended ${gate.outcome}`));
          return { gate, gateMs: since() };
        },
        (error: unknown) => {
          letAnalysisGo('stopped', error);
          throw error;
        },
      );

    const deadlineTimer = new AbortController();
    if (deadlineAt !== undefined) {
      clock.sleep(Math.max(0, deadlineAt - clock.now()), deadlineTimer.signal).then(
        () => letAnalysisGo('overran', new Error('the validation deadline passed')),
        () => {},
      );
    }
    const analysing = untilAborted(analyse(deps, run, stopAnalysis.signal, deadlineAt), stopAnalysis.signal)
      .then(
        (analysed): AnalysisResult => ({ outcome: 'returned', analysed }),
        (error: unknown): AnalysisResult => {
          // Let go on purpose: that is an outcome. Otherwise the analysis failed, and that failure is the result.
          if (analysisStop !== undefined) return { outcome: analysisStop };
          stopGate.abort(error);
          throw error;
        },
      )
      .finally(() => deadlineTimer.abort());

    const [gated, analysed] = await Promise.allSettled([gating, analysing]);
    if (gated.status === 'rejected') throw gated.reason;
    if (analysed.status === 'rejected') throw analysed.reason;
    const { gate, gateMs } = gated.value;
    const analysis = analysed.value;
    const parts = { run, gate, gateMs, startedAt, analysis, clock, telemetry };

    if (aborted) return settleAborted(policy, report({ ...parts, decision: 'skip', aborted }), signal);
    const decision = decide(gate, policy);
    if (decision === 'skip' || analysis.outcome !== 'returned') return report({ ...parts, decision: 'skip' });

    during = 'writes';
    const { content, metadata, analysis: result } = analysis.analysed;
    const { labels, rejected } = proposalsToLabels(
      run,
      content.words,
      result.proposals,
      result.analyzer,
      toTimestamp(clock.now()),
    );
    const corrections = checkCorrections(result.metadata, metadata);
    if (decision === 'write_unguarded' && labels.length > 0) {
      telemetry.event({
        type: 'validation.unguarded_write',
        run,
        outcome: gate.outcome,
        labels: labels.length,
      });
      telemetry.metric('UnguardedLabelWrites', 1, 'Count');
    }
    const saved =
      labels.length === 0
        ? NOTHING_SAVED
        : await deps.labels.saveLabels(labels, decision === 'write_guarded' ? { requireCompleted: run } : {});
    // An abort during the label write: that write is done, but no other starts after it.
    const metadataChange: MetadataChange = aborted
      ? { status: 'skipped' }
      : await correctMetadata(deps, metadata, result.metadata, corrections.changes);
    const written = report({ ...parts, decision, saved, rejected, corrections, metadataChange, aborted });
    return aborted ? settleAborted(policy, written, signal) : written;
  } finally {
    signal.removeEventListener('abort', onCallerAbort);
  }
}

function checkedRequest(request: ValidateReceiptRequest): ValidateReceiptRequest {
  parseCompactionRunKey(request.run);
  const { deadlineAt } = request;
  if (deadlineAt !== undefined && !Number.isFinite(deadlineAt)) {
    throw new InvalidValueError(
      'ValidateReceiptRequest.deadlineAt',
      `expected a finite epoch ms, got ${describeValue(deadlineAt)}`,
    );
  }
  return request;
}

/** `work`, unless `signal` aborts first (then its reason); the listener goes once either has happened. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort);
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function analyse(
  deps: ValidateReceiptDeps,
  run: CompactionRunKey,
  signal: AbortSignal,
  deadlineAt: number | undefined,
): Promise<Analysed> {
  if (signal.aborted) throw signal.reason;
  const started = deps.clock.now();
  const receipt = { imageId: run.imageId, receiptId: run.receiptId };
  const [content, metadata] = await Promise.all([
    deps.receipts.getReceiptContent(receipt),
    deps.metadata.getMerchantRecord(receipt),
  ]);
  if (signal.aborted) throw signal.reason;
  const analysis = await deps.analyzer.analyze(
    { receipt, lines: content.lines, words: content.words, ...(metadata && { metadata }) },
    { signal, ...(deadlineAt !== undefined && { deadlineAt }) },
  );
  if (!Array.isArray(analysis?.proposals)) {
    throw new InvalidValueError(
      'ReceiptAnalysis.proposals',
      `expected a list of label proposals from analyzer ${deps.analyzer.name}, got ${describeValue(analysis?.proposals)}`,
    );
  }
  return { content, metadata, analysis, analysisMs: deps.clock.now() - started };
}

/** Whether the policy lets anything be written on this gate result. */
function writesOn(gate: GateResult, policy: OutcomePolicy): boolean {
  return gate.outcome === 'completed' || policy[gate.outcome] === 'proceed';
}

function decide(gate: GateResult, policy: OutcomePolicy): WriteDecision {
  if (gate.outcome === 'completed') return 'write_guarded';
  const action = policy[gate.outcome];
  if (action === 'fail') throw new GateOutcomeError(gate);
  return action === 'proceed' ? 'write_unguarded' : 'skip';
}

function settleAborted(policy: OutcomePolicy, done: ValidationReport, signal: AbortSignal) {
  if (policy.aborted === 'fail') throw new ValidationAbortedError(done, signal.reason);
  return done;
}

/**
 * The analyzer's metadata corrections, checked as untrusted input, when they could apply (metadata read, a
 * verdict that does not match): only correctable fields, each a non-empty string; the others are refused with
 * their reason. A value equal to what was read changes nothing and is left out.
 */
function checkCorrections(
  verdict: MetadataVerdict | undefined,
  metadata: MerchantRecord | undefined,
): CheckedCorrections {
  if (!metadata || !verdict || verdict.matches !== false) return NO_CORRECTIONS;
  const { corrections } = verdict;
  if (typeof corrections !== 'object' || corrections === null || Array.isArray(corrections)) {
    return {
      proposed: 1,
      changes: {},
      rejected: [
        { field: 'corrections', reason: `expected an object of fields, got ${describeValue(corrections)}` },
      ],
    };
  }
  const proposed = Object.entries(corrections).filter(([, value]) => value !== undefined);
  const changes: Record<string, string> = {};
  const rejected: RejectedCorrection[] = [];
  for (const [field, value] of proposed) {
    if (!isCorrectableField(field)) {
      rejected.push({ field, reason: `${field} is not a field a validation may correct` });
    } else if (typeof value !== 'string' || value.trim() === '') {
      rejected.push({ field, reason: `expected a non-empty string, got ${describeValue(value)}` });
    } else if (value !== metadata[field]) {
      changes[field] = value;
    }
  }
  return { proposed: proposed.length, changes, rejected };
}

/**
 * Corrects the merchant record with the checked changes (the field set of correctMerchantRecord), conditionally
 * on the record still being what was read.
 */
async function correctMetadata(
  deps: ValidateReceiptDeps,
  metadata: MerchantRecord | undefined,
  verdict: MetadataVerdict | undefined,
  changes: MerchantCorrection,
): Promise<MetadataChange> {
  if (!metadata || !verdict) return { status: 'no_metadata' };
  if (Object.keys(changes).length === 0) return { status: 'matches' };
  const corrected = correctMerchantRecord(metadata, changes, {
    at: toTimestamp(deps.clock.now()),
    reasoning: verdict.reasoning,
  });
  const updated = await deps.metadata.updateMerchantRecord(metadata, corrected);
  return { status: updated.applied ? 'corrected' : 'conflict', changes, reasoning: verdict.reasoning };
}

function report(parts: {
  run: CompactionRunKey;
  gate: GateResult;
  gateMs: number;
  decision: WriteDecision;
  startedAt: number;
  clock: Clock;
  telemetry: Telemetry;
  analysis: AnalysisResult;
  saved?: SaveLabelsResult;
  rejected?: ValidationReport['labels']['rejected'];
  corrections?: CheckedCorrections;
  metadataChange?: MetadataChange;
  aborted?: AbortRecord | undefined;
}): ValidationReport {
  const { run, gate, decision, startedAt, gateMs, clock, telemetry, analysis, aborted } = parts;
  const { saved = NOTHING_SAVED, rejected = [], corrections = NO_CORRECTIONS } = parts;
  const { analysed } = analysis;
  const metadata = parts.metadataChange ?? { status: 'skipped' };
  const totalMs = clock.now() - startedAt;
  const result: ValidationReport = {
    run,
    gate,
    decision,
    analyzer: analysed?.analysis.analyzer ?? 'none',
    analysis: { outcome: analysis.outcome },
    labels: {
      proposed: analysed?.analysis.proposals.length ?? 0,
      written: saved.written.length,
      alreadyPresent: saved.alreadyPresent.length,
      frozen: saved.frozen.length,
      rejected,
    },
    metadata,
    corrections: { proposed: corrections.proposed, rejected: corrections.rejected },
    timings: { startedAt, gateMs, analysisMs: analysed?.analysisMs ?? 0, totalMs },
    ...(aborted && { aborted }),
  };
  telemetry.metric('LabelsWritten', result.labels.written, 'Count');
  telemetry.metric('LabelsFrozen', result.labels.frozen, 'Count');
  telemetry.metric('ProposalsRejected', rejected.length, 'Count');
  telemetry.metric('CorrectionsRejected', corrections.rejected.length, 'Count');
  telemetry.metric('MetadataCorrections', metadata.status === 'corrected' ? 1 : 0, 'Count');
  telemetry.metric('AnalysisOverruns', analysis.outcome === 'overran' ? 1 : 0, 'Count');
  telemetry.event({
    type: 'validation.completed',
    run,
    outcome: gate.outcome,
    analysis: analysis.outcome,
    aborted: aborted !== undefined,
    labelsWritten: result.labels.written,
    metadataCorrected: metadata.status === 'corrected',
    totalMs,
  });
  return result;
}
