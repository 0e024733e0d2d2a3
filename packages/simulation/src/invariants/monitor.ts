import {
  type CompactionRunKey,
  type GateOutcome,
  type MetricName,
  type OutcomePolicy,
  type ReceiptRef,
  type ReceiptWordLabel,
  resolveOutcomePolicy,
  type TelemetryEvent,
  wordLabelId,
} from '@receipt-gate/core';
import type { DeadLetter } from '@receipt-gate/lambda';
import type { AsyncFailureRecord } from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Environment, Invocation, InvocationOutcome } from '../runtime/invocation.js';
import type { RuntimeObserver } from '../runtime/lambda-runtime.js';
import type { DatabaseObserver, LabelChange, StoreName, Writer } from '../table/database.js';
import { describe, type FailureCondition, type MappingObserver } from '../table/event-source-mapping.js';
import type { Trace } from '../world/trace.js';
import type { InvariantName, Violation } from './violation.js';

/** One validation inside an invocation, from its gate's first event to its report. */
interface ValidationState {
  readonly run: CompactionRunKey;
  readonly startedAt: number;
  gate: 'waiting' | 'settled';
  outcome: GateOutcome | undefined;
  /** The `validation.unguarded_write` event was emitted for this validation. */
  unguardedReported: boolean;
  labelWritesInFlight: number;
  metadataCorrected: boolean;
  writesStartedAt: number | undefined;
}

interface InvocationState {
  /** The latest validation of each receipt in this invocation. */
  readonly validations: Map<string, ValidationState>;
  unguardedMetrics: number;
  unguardedWrites: number;
}

export interface MonitorOptions {
  readonly trace: Trace;
  readonly now: () => number;
  /** Virtual ms since the start of the run. */
  readonly elapsed: () => number;
  readonly receiptIndex: (imageId: string) => number | undefined;
  readonly outcomePolicy: Partial<OutcomePolicy>;
  /** The gate's read timeout: the last read may overrun the deadline by this much. */
  readonly pollTimeoutMs: number;
  /** Kept back from an invocation's time after the validation's deadline (INLINE_RESERVE_MS). */
  readonly reserveMs: number;
  readonly onViolation: (violation: Violation) => void;
}

const receiptKeyOf = (receipt: ReceiptRef) => `${receipt.imageId}#${receipt.receiptId}`;
const runKeyOf = (run: CompactionRunKey) => `${run.imageId}#${run.receiptId}#${run.runId}`;

/**
 * Checks the invariants as the run goes, at every step that could break one: each store call of a handler, each
 * telemetry event, each change of a label, each batch given up on, each invocation's end. The end-of-run checks
 * (vectors, runs, validations) are in `final-checks.ts`. It learns what the code decided only from what the code
 * reports (telemetry) and does (store calls), never from its internals.
 */
export class Monitor implements RuntimeObserver, DatabaseObserver, Pick<MappingObserver, 'givenUp'> {
  readonly #options: MonitorOptions;
  readonly #policy: OutcomePolicy;
  readonly #invocations = new Map<Invocation, InvocationState>();
  /** Runs whose validation completed (by run key), with how many times. */
  readonly #validated = new Map<string, number>();
  /** Each receipt's labels as a person last decided them, by label id. */
  readonly #decided = new Map<number, Map<string, ReceiptWordLabel>>();
  /** Why the dispatcher last failed each record of a receipt (`stream.record_failed`), by sequence number. */
  readonly #failureReasons = new Map<number, Map<string, string>>();

  constructor(options: MonitorOptions) {
    this.#options = options;
    this.#policy = resolveOutcomePolicy(options.outcomePolicy);
  }

  timesValidated(run: CompactionRunKey): number {
    return this.#validated.get(runKeyOf(run)) ?? 0;
  }

  /** The labels a person decided on a receipt, as last decided. */
  decidedLabels(receipt: number): ReadonlyMap<string, ReceiptWordLabel> {
    return this.#decided.get(receipt) ?? new Map();
  }

  /** Forgets a receipt once its final checks are done. */
  forget(receipt: number, runs: readonly CompactionRunKey[]): void {
    this.#decided.delete(receipt);
    this.#failureReasons.delete(receipt);
    for (const run of runs) this.#validated.delete(runKeyOf(run));
  }

  violate(invariant: InvariantName, receipt: number | undefined, message: string): void {
    const violation = { invariant, receipt, at: this.#options.elapsed(), message };
    this.#options.trace.add(this.#options.now(), receipt, `VIOLATION ${invariant}: ${message}`);
    this.#options.onViolation(violation);
  }

  #index(receipt: ReceiptRef | undefined): number | undefined {
    return receipt && this.#options.receiptIndex(receipt.imageId);
  }

  #state(invocation: Invocation): InvocationState {
    let state = this.#invocations.get(invocation);
    if (!state) {
      state = { validations: new Map(), unguardedMetrics: 0, unguardedWrites: 0 };
      this.#invocations.set(invocation, state);
    }
    return state;
  }

  // RuntimeObserver

  invocationStarted(invocation: Invocation): void {
    this.#state(invocation);
  }

  invocationEnded(invocation: Invocation, outcome: InvocationOutcome): void {
    const state = this.#state(invocation);
    this.#invocations.delete(invocation);
    const who = `${invocation.fn}#${invocation.id}`;
    if (outcome.status === 'timed_out') {
      for (const validation of state.validations.values()) {
        this.violate(
          'validation-deadline',
          this.#index(validation.run),
          `${who} timed out while validating (the gate ${validation.gate === 'waiting' ? 'still waiting' : `ended ${validation.outcome}`})`,
        );
      }
      return;
    }
    if (outcome.status === 'crashed') return;
    const pending = invocation.env.pendingTimers.size;
    if (pending > 0) {
      this.violate(
        'quiet-after-gate',
        invocation.receipt,
        `${who} returned with ${pending} timers of its code still pending`,
      );
    }
  }

  storeCallStarted(invocation: Invocation, store: StoreName, method: string, args: readonly unknown[]): void {
    if (store === 'labels' && method === 'saveLabels') this.#labelWrite(invocation, args);
    else if (store === 'merchant' && method === 'updateMerchantRecord') this.#metadataWrite(invocation, args);
    else if (store === 'runs' && method === 'getCompactionRun') this.#runRead(invocation, args);
  }

  storeCallEnded(invocation: Invocation, store: StoreName, method: string, args: readonly unknown[]): void {
    if (store !== 'labels' || method !== 'saveLabels') return;
    const labels = args[0] as readonly ReceiptWordLabel[];
    const validation = labels[0] && this.#state(invocation).validations.get(receiptKeyOf(labels[0]));
    if (validation) validation.labelWritesInFlight--;
  }

  #labelWrite(invocation: Invocation, args: readonly unknown[]): void {
    const labels = args[0] as readonly ReceiptWordLabel[];
    const guarded = (args[1] as { requireCompleted?: unknown } | undefined)?.requireCompleted !== undefined;
    const first = labels[0];
    if (!first) return;
    const receipt = this.#index(first);
    const state = this.#state(invocation);
    const validation = state.validations.get(receiptKeyOf(first));
    const who = `${invocation.fn}#${invocation.id}`;
    if (!validation) {
      this.violate(
        'unguarded-writes',
        receipt,
        `${who} wrote ${labels.length} labels outside any validation`,
      );
      return;
    }
    validation.labelWritesInFlight++;
    validation.writesStartedAt ??= this.#options.now();
    if (validation.gate === 'waiting') {
      this.violate(
        'unguarded-writes',
        receipt,
        `${who} wrote ${labels.length} labels before its gate settled`,
      );
      return;
    }
    if (validation.metadataCorrected) {
      this.violate(
        'metadata-after-labels',
        receipt,
        `${who} wrote labels after correcting the merchant record`,
      );
    }
    const outcome = validation.outcome as GateOutcome;
    if (outcome === 'completed') {
      if (!guarded)
        this.violate(
          'unguarded-writes',
          receipt,
          `${who} wrote labels unguarded although the gate completed`,
        );
      return;
    }
    const action = this.#policy[outcome];
    if (action !== 'proceed') {
      this.violate(
        'unguarded-writes',
        receipt,
        `${who} wrote labels after the gate ended ${outcome} (policy: ${action})`,
      );
      return;
    }
    if (guarded) return;
    state.unguardedWrites++;
    if (!validation.unguardedReported || state.unguardedMetrics < state.unguardedWrites) {
      this.violate(
        'unguarded-writes',
        receipt,
        `${who} wrote labels unguarded (gate ${outcome}) without reporting and counting it (UnguardedLabelWrites)`,
      );
    }
  }

  #metadataWrite(invocation: Invocation, args: readonly unknown[]): void {
    const expected = args[0] as ReceiptRef;
    const receipt = this.#index(expected);
    const validation = this.#state(invocation).validations.get(receiptKeyOf(expected));
    const who = `${invocation.fn}#${invocation.id}`;
    if (!validation) {
      this.violate(
        'metadata-after-labels',
        receipt,
        `${who} corrected the merchant record outside any validation`,
      );
      return;
    }
    validation.writesStartedAt ??= this.#options.now();
    if (validation.gate === 'waiting') {
      this.violate(
        'metadata-after-labels',
        receipt,
        `${who} corrected the merchant record before its gate settled`,
      );
    } else if (validation.labelWritesInFlight > 0) {
      this.violate(
        'metadata-after-labels',
        receipt,
        `${who} corrected the merchant record while its labels were being written`,
      );
    } else {
      const outcome = validation.outcome as GateOutcome;
      if (outcome !== 'completed' && this.#policy[outcome] !== 'proceed') {
        this.violate(
          'metadata-after-labels',
          receipt,
          `${who} corrected the merchant record after the gate ended ${outcome}`,
        );
      }
    }
    validation.metadataCorrected = true;
  }

  #runRead(invocation: Invocation, args: readonly unknown[]): void {
    const run = args[0] as CompactionRunKey;
    const validation = this.#state(invocation).validations.get(receiptKeyOf(run));
    if (validation?.gate === 'settled' && validation.run.runId === run.runId) {
      this.violate(
        'quiet-after-gate',
        this.#index(run),
        `${invocation.fn}#${invocation.id} read the run after its gate settled (${validation.outcome})`,
      );
    }
  }

  telemetry(invocation: Invocation | undefined, event: TelemetryEvent): void {
    if (!invocation) return;
    const state = this.#state(invocation);
    const { now } = this.#options;
    switch (event.type) {
      case 'gate.waiting':
        state.validations.set(receiptKeyOf(event.run), {
          run: event.run,
          startedAt: now(),
          gate: 'waiting',
          outcome: undefined,
          unguardedReported: false,
          labelWritesInFlight: 0,
          metadataCorrected: false,
          writesStartedAt: undefined,
        });
        return;
      case 'gate.settled': {
        const validation = state.validations.get(receiptKeyOf(event.run));
        if (validation) {
          validation.gate = 'settled';
          validation.outcome = event.outcome;
        }
        this.#options.trace.add(
          now(),
          this.#index(event.run),
          `gate ${event.outcome} after ${event.polls} reads`,
        );
        return;
      }
      case 'validation.unguarded_write': {
        const validation = state.validations.get(receiptKeyOf(event.run));
        if (validation) validation.unguardedReported = true;
        return;
      }
      case 'validation.completed':
        this.#validationCompleted(invocation, state, event);
        return;
      case 'stream.record_failed': {
        const receipt = this.#options.receiptIndex(event.key.replace(/^IMAGE#/, '').split(/[#|/ ]/)[0] ?? '');
        if (receipt === undefined) return;
        const reasons = this.#failureReasons.get(receipt) ?? new Map<string, string>();
        reasons.set(event.sequenceNumber, event.reason);
        this.#failureReasons.set(receipt, reasons);
        return;
      }
      case 'compaction.changes_deferred':
        this.#options.trace.add(
          now(),
          this.#index(event.receipt),
          `${event.records} ${event.change} changes deferred (no ${event.collections.join(', ')} vectors yet)`,
        );
        return;
      default:
        return;
    }
  }

  #validationCompleted(
    invocation: Invocation,
    state: InvocationState,
    event: Extract<TelemetryEvent, { type: 'validation.completed' }>,
  ): void {
    const receipt = this.#index(event.run);
    const key = runKeyOf(event.run);
    this.#validated.set(key, (this.#validated.get(key) ?? 0) + 1);
    this.#options.trace.add(
      this.#options.now(),
      receipt,
      `validated: gate ${event.outcome}, analysis ${event.analysis}, ${event.labelsWritten} labels written${event.metadataCorrected ? ', merchant corrected' : ''}`,
    );
    const validation = state.validations.get(receiptKeyOf(event.run));
    const who = `${invocation.fn}#${invocation.id}`;
    const pending = invocation.env.pendingTimers.size;
    if (pending > 0) {
      this.violate(
        'quiet-after-gate',
        receipt,
        `${who} left ${pending} timers pending after its validation settled`,
      );
    }
    if (!validation) return;
    // The handlers give the validation the invocation's remaining time less the reserve.
    const deadlineAt = Math.max(validation.startedAt, invocation.deadline - this.#options.reserveMs);
    const writesBy = deadlineAt + this.#options.pollTimeoutMs;
    const acted = validation.writesStartedAt ?? this.#options.now();
    if (acted > writesBy) {
      this.violate(
        'validation-deadline',
        receipt,
        `${who} ${validation.writesStartedAt === undefined ? 'settled' : 'began writing'} ${acted - deadlineAt} ms after its deadline (at most ${this.#options.pollTimeoutMs})`,
      );
    }
  }

  metric(invocation: Invocation | undefined, name: MetricName, value: number): void {
    if (invocation && name === 'UnguardedLabelWrites') this.#state(invocation).unguardedMetrics += value;
  }

  workAfterReturn(env: Environment, what: string): void {
    this.violate(
      'quiet-after-gate',
      undefined,
      `${env.fn} environment ${env.id} started ${what} after its handler returned`,
    );
  }

  deadLettered(invocation: Invocation | undefined, letters: readonly DeadLetter[]): void {
    // The simulation writes no poison record: every record it streams can be applied, so none may be set aside.
    for (const letter of letters) {
      const pk = (letter.keys as { PK?: { S?: string } }).PK?.S;
      const receipt = pk === undefined ? undefined : this.#options.receiptIndex(pk.replace(/^IMAGE#/, ''));
      const who = invocation ? `${invocation.fn}#${invocation.id}` : 'a returned handler';
      this.violate(
        'records-settle',
        receipt,
        `${who} dead-lettered a ${letter.eventName} record: ${letter.reason.slice(0, 300)}`,
      );
    }
  }

  /** The validation's asynchronous invocation was given up on (its on-failure destination). */
  validationGivenUp(receipt: number | undefined, record: AsyncFailureRecord): void {
    const { condition, approximateInvokeCount } = record.requestContext;
    const error = record.responsePayload
      ? `${record.responsePayload.errorType}: ${record.responsePayload.errorMessage}`
      : 'no attempt';
    this.violate(
      'receipts-validated',
      receipt,
      `its validation was given up on (${condition} after ${approximateInvokeCount} attempts): ${error.slice(0, 300)}`,
    );
  }

  unroutable(invocation: Invocation, error: unknown): void {
    this.violate('simulation', invocation.receipt, error instanceof Error ? error.message : String(error));
  }

  // DatabaseObserver

  labelsChanged(writer: Writer, receipt: ReceiptRef, changes: readonly LabelChange[]): void {
    const index = this.#index(receipt);
    if (index === undefined) return;
    let decided = this.#decided.get(index);
    for (const { before, after } of changes) {
      const label = (after ?? before) as ReceiptWordLabel;
      const id = wordLabelId(label);
      if (writer.kind === 'person') {
        decided ??= new Map();
        this.#decided.set(index, decided);
        if (after) decided.set(id, after);
        continue;
      }
      const decision = decided?.get(id);
      if (decision && JSON.stringify(decision) !== JSON.stringify(after)) {
        const by = writer.kind === 'invocation' ? `${writer.fn}#${writer.id}` : writer.kind;
        this.violate(
          'decided-labels',
          index,
          `${by} changed ${label.label} on word ${label.lineId}/${label.wordId}, decided ${decision.validationStatus}, to ${after ? after.validationStatus : '(deleted)'}`,
        );
      }
    }
  }

  guardedWriteApplied(writer: Writer, key: CompactionRunKey, completed: boolean): void {
    if (completed) return;
    const by = writer.kind === 'invocation' ? `${writer.fn}#${writer.id}` : writer.kind;
    this.violate(
      'unguarded-writes',
      this.#index(key),
      `a guarded label write by ${by} took effect while its run was not COMPLETED`,
    );
  }

  // MappingObserver

  givenUp(
    mapping: string,
    records: readonly DynamoDBRecord[],
    condition: FailureCondition,
    error: unknown,
  ): void {
    const byReceipt = new Map<number | undefined, DynamoDBRecord[]>();
    for (const record of records) {
      const imageId = record.dynamodb?.Keys?.PK?.S?.replace(/^IMAGE#/, '');
      const receipt = imageId === undefined ? undefined : this.#options.receiptIndex(imageId);
      byReceipt.set(receipt, [...(byReceipt.get(receipt) ?? []), record]);
    }
    for (const [receipt, lost] of byReceipt) {
      // The handler's own reason for a record it reported failed says more than the batch's error.
      const reasons = receipt === undefined ? undefined : this.#failureReasons.get(receipt);
      const reported = lost
        .map((record) => reasons?.get(record.dynamodb?.SequenceNumber ?? ''))
        .find((reason) => reason !== undefined);
      const reason = reported ?? describeError(error);
      this.violate(
        'records-settle',
        receipt,
        `${mapping} gave up on ${lost.length} records (${condition}): ${lost.slice(0, 3).map(describe).join(', ')}${lost.length > 3 ? ', ...' : ''}; last error: ${reason.slice(0, 300)}`,
      );
    }
  }
}

/** An error in a line; a batch failure names its first record's error (Powertools keeps them in `recordErrors`). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const [first] = (error as { recordErrors?: unknown[] }).recordErrors ?? [];
  return first === undefined
    ? `${error.name}: ${error.message}`
    : `${error.name}, first: ${describeError(first)}`;
}
