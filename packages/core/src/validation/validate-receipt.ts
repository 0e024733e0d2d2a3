import type { CompactionRunKey } from '../domain/compaction-run.js';
import { correctionChanges, correctMerchantRecord } from '../domain/merchant-correction.js';
import type { MerchantRecord } from '../domain/merchant-record.js';
import { toTimestamp } from '../domain/timestamps.js';
import { GateOutcomeError } from '../errors/gate-outcome-error.js';
import type { Clock } from '../ports/clock.js';
import type { CompactionGate, GateResult } from '../ports/compaction-gate.js';
import type { LabelRepository, SaveLabelsResult } from '../ports/label-repository.js';
import type { MerchantRecordRepository } from '../ports/merchant-record-repository.js';
import type { ReceiptAnalysis, ReceiptAnalyzer } from '../ports/receipt-analyzer.js';
import type { ReceiptContent, ReceiptRepository } from '../ports/receipt-repository.js';
import type { Telemetry } from '../ports/telemetry.js';
import { NOOP_TELEMETRY } from '../telemetry/noop-telemetry.js';
import { type OutcomePolicy, resolveOutcomePolicy } from './outcome-policy.js';
import { proposalsToLabels } from './proposals-to-labels.js';
import type { MetadataChange, ValidationReport, WriteDecision } from './validation-report.js';

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
  readonly signal?: AbortSignal;
  /** Epoch ms; caps the gate's wait and bounds the analysis. */
  readonly deadlineAt?: number;
}

interface Analysed {
  readonly content: ReceiptContent;
  readonly metadata: MerchantRecord | undefined;
  readonly analysis: ReceiptAnalysis;
  readonly analysisMs: number;
}

/**
 * Validates one receipt: waits for its compaction while the analysis runs (it only reads), then, per the gate's
 * outcome and the policy, writes the labels (guarded by the run being COMPLETED when it is) and after them the
 * metadata correction. Nothing is written before the gate has settled.
 */
export async function validateReceipt(
  deps: ValidateReceiptDeps,
  request: ValidateReceiptRequest,
): Promise<ValidationReport> {
  const { clock, telemetry = NOOP_TELEMETRY } = deps;
  const policy = resolveOutcomePolicy(deps.policy);
  const { run, deadlineAt } = request;
  const startedAt = clock.now();

  // One failure stops the other side, so nothing is left running when this function settles.
  const stop = new AbortController();
  const onCallerAbort = () => stop.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (request.signal?.aborted) stop.abort(request.signal.reason);

  const gating = deps.gate
    .waitForCompaction(run, { signal: stop.signal, ...(deadlineAt !== undefined && { deadlineAt }) })
    .then((gate) => ({ gate, gateMs: clock.now() - startedAt }));
  const analysing = analyse(deps, run, stop.signal, deadlineAt);
  const [gated, analysed] = await Promise.allSettled([
    gating.catch((error) => {
      stop.abort(error);
      throw error;
    }),
    analysing.catch((error) => {
      stop.abort(error);
      throw error;
    }),
  ]);
  request.signal?.removeEventListener('abort', onCallerAbort);
  if (gated.status === 'rejected') throw gated.reason;
  // An analysis failure stopped the gate: that failure is the outcome, unless the caller aborted everything.
  if (analysed.status === 'rejected' && !request.signal?.aborted) throw analysed.reason;
  const { gate, gateMs } = gated.value;

  const decision = decide(gate, policy);
  if (decision === 'skip') {
    return report({ run, gate, decision, startedAt, gateMs, clock, telemetry, analysed });
  }
  if (analysed.status === 'rejected') throw analysed.reason;
  const { content, metadata, analysis } = analysed.value;

  const { labels, rejected } = proposalsToLabels(
    run,
    content.words,
    analysis.proposals,
    analysis.analyzer,
    toTimestamp(clock.now()),
  );
  if (decision === 'write_unguarded' && labels.length > 0) {
    telemetry.event({
      type: 'validation.unguarded_write',
      run,
      outcome: gate.outcome,
      labels: labels.length,
    });
    telemetry.metric('UnguardedLabelWrites', 1, 'Count');
  }
  const saved: SaveLabelsResult =
    labels.length === 0
      ? { written: [], alreadyPresent: [], frozen: [] }
      : await deps.labels.saveLabels(labels, decision === 'write_guarded' ? { requireCompleted: run } : {});

  const metadataChange = await correctMetadata(deps, metadata, analysis, clock);
  return report({
    run,
    gate,
    decision,
    startedAt,
    gateMs,
    clock,
    telemetry,
    analysed,
    saved,
    rejected,
    metadataChange,
  });
}

async function analyse(
  deps: ValidateReceiptDeps,
  run: CompactionRunKey,
  signal: AbortSignal,
  deadlineAt: number | undefined,
): Promise<Analysed> {
  const started = deps.clock.now();
  const receipt = { imageId: run.imageId, receiptId: run.receiptId };
  const [content, metadata] = await Promise.all([
    deps.receipts.getReceiptContent(receipt),
    deps.metadata.getMerchantRecord(receipt),
  ]);
  const analysis = await deps.analyzer.analyze(
    { receipt, lines: content.lines, words: content.words, ...(metadata && { metadata }) },
    { signal, ...(deadlineAt !== undefined && { deadlineAt }) },
  );
  return { content, metadata, analysis, analysisMs: deps.clock.now() - started };
}

function decide(gate: GateResult, policy: OutcomePolicy): WriteDecision {
  if (gate.outcome === 'completed') return 'write_guarded';
  const action = policy[gate.outcome];
  if (action === 'fail') throw new GateOutcomeError(gate);
  return action === 'proceed' ? 'write_unguarded' : 'skip';
}

/**
 * Corrects the merchant record when a field differs from what was read (with the field set of
 * correctMerchantRecord), conditionally on the record still being what was read.
 */
async function correctMetadata(
  deps: ValidateReceiptDeps,
  metadata: MerchantRecord | undefined,
  analysis: ReceiptAnalysis,
  clock: Clock,
): Promise<MetadataChange> {
  const verdict = analysis.metadata;
  if (!metadata || !verdict) return { status: 'no_metadata' };
  const changes = correctionChanges(metadata, verdict.corrections);
  if (verdict.matches || Object.keys(changes).length === 0) return { status: 'matches' };
  const corrected = correctMerchantRecord(metadata, changes, {
    at: toTimestamp(clock.now()),
    reasoning: verdict.reasoning,
  });
  const updated = await deps.metadata.updateMerchantRecord(metadata, corrected);
  return { status: updated.applied ? 'corrected' : 'conflict', changes, reasoning: verdict.reasoning };
}

function report(parts: {
  run: CompactionRunKey;
  gate: GateResult;
  decision: WriteDecision;
  startedAt: number;
  gateMs: number;
  clock: Clock;
  telemetry: Telemetry;
  analysed: PromiseSettledResult<Analysed>;
  saved?: SaveLabelsResult;
  rejected?: ValidationReport['labels']['rejected'];
  metadataChange?: MetadataChange;
}): ValidationReport {
  const { run, gate, decision, startedAt, gateMs, clock, telemetry, analysed, saved, rejected = [] } = parts;
  const analysis = analysed.status === 'fulfilled' ? analysed.value : undefined;
  const metadata = parts.metadataChange ?? { status: 'skipped' };
  const totalMs = clock.now() - startedAt;
  const result: ValidationReport = {
    run,
    gate,
    decision,
    analyzer: analysis?.analysis.analyzer ?? 'none',
    labels: {
      proposed: analysis?.analysis.proposals.length ?? 0,
      written: saved?.written.length ?? 0,
      alreadyPresent: saved?.alreadyPresent.length ?? 0,
      frozen: saved?.frozen.length ?? 0,
      rejected,
    },
    metadata,
    timings: { startedAt, gateMs, analysisMs: analysis?.analysisMs ?? 0, totalMs },
  };
  telemetry.metric('LabelsWritten', result.labels.written, 'Count');
  telemetry.metric('LabelsFrozen', result.labels.frozen, 'Count');
  telemetry.metric('ProposalsRejected', rejected.length, 'Count');
  telemetry.metric('MetadataCorrections', metadata.status === 'corrected' ? 1 : 0, 'Count');
  telemetry.event({
    type: 'validation.completed',
    run,
    outcome: gate.outcome,
    labelsWritten: result.labels.written,
    metadataCorrected: metadata.status === 'corrected',
    totalMs,
  });
  return result;
}
