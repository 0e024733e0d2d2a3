import { setMaxListeners } from 'node:events';
import {
  type MerchantRecord,
  type ReceiptWordLabel,
  SEED_GATE_POLICY,
  toTimestamp,
} from '@receipt-gate/core';
import { VirtualClock } from '@receipt-gate/core/testing';
import { DISPATCHER_STREAM_SETTINGS, validationRequestOf } from '@receipt-gate/lambda';
import { AsyncInvoker } from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import { finalChecks } from '../invariants/final-checks.js';
import { Monitor } from '../invariants/monitor.js';
import type { Violation } from '../invariants/violation.js';
import {
  buildPipeline,
  FUNCTION_TIMEOUTS_MS,
  type Pipeline,
  type PipelineCode,
  PRODUCTION_CODE,
} from '../pipeline/pipeline.js';
import { SimRandom } from '../random/sim-random.js';
import { LambdaRuntime } from '../runtime/lambda-runtime.js';
import { type FaultProfileName, faultProfile } from '../scenario/fault-profile.js';
import {
  FaultBook,
  type FaultFilter,
  type InjectedFault,
  NO_FILTER,
  throttleWindows,
} from '../scenario/runtime-faults.js';
import {
  arrivalTimes,
  drawRunShape,
  type PlannedFault,
  planReceipt,
  type ReceiptPlan,
  type RunMode,
  type RunShape,
} from '../scenario/workload.js';
import { Database } from '../table/database.js';
import { EventSourceMapping } from '../table/event-source-mapping.js';
import { TableStream } from '../table/table-stream.js';
import { Agenda } from '../world/agenda.js';
import { type DriveEnd, drive } from '../world/drive.js';
import { Trace, type TraceLine } from '../world/trace.js';

export interface SimulationOptions {
  /** Receipts in the workload (indexes 0 to receipts - 1). */
  readonly receipts: number;
  readonly seed: number;
  readonly profile?: FaultProfileName;
  /** Run only these receipts of the workload (shrinking); each keeps its own plan and arrival time. */
  readonly only?: ReadonlySet<number>;
  /** Faults left out, by kind or id. */
  readonly filter?: FaultFilter;
  /** Keep the trace's lines (a shrunk run prints them). */
  readonly keepTrace?: boolean;
  /** The code under test (default: production; a mutant test passes a mutant). */
  readonly code?: PipelineCode;
  /** End the run at the first violation that passes this test (shrinking and mutant tests only need one). */
  readonly stopWhen?: (violation: Violation) => boolean;
  readonly onProgress?: (progress: SimulationProgress) => void;
}

export interface SimulationProgress {
  readonly done: number;
  readonly total: number;
  readonly virtualMs: number;
  readonly faults: number;
  readonly violations: number;
}

export interface SimulationResult {
  readonly seed: number;
  readonly profile: FaultProfileName;
  readonly shape: RunShape;
  /** Receipts run (the workload's, or those kept by `only`). */
  readonly receipts: number;
  readonly plans: readonly ReceiptPlan[];
  readonly faults: readonly InjectedFault[];
  readonly violations: readonly Violation[];
  readonly end: DriveEnd;
  readonly traceHash: string;
  readonly traceLength: number;
  readonly trace: readonly TraceLine[];
  readonly virtualMs: number;
  readonly stats: Readonly<Record<string, number>>;
}

const START = Date.UTC(2026, 0, 1);
/** How long after the last arrival the run may go on draining (records age out after 6 h at most). */
const DRAIN_HORIZON_MS = 24 * 3_600_000;
const UPLOAD_ATTEMPTS = 8;

/** An asynchronous validation as the simulated Lambda service queues it: an event id, and the payload. */
interface QueuedValidation {
  readonly event: number;
  readonly payload: ReturnType<typeof validationRequestOf>;
}

/** One simulated system: the pipeline in one mode, its table, stream, Lambda runtime and mappings. */
interface SimSystem {
  readonly mode: RunMode;
  readonly pipeline: Pipeline;
  readonly database: Database;
  readonly stream: TableStream;
  readonly runtime: LambdaRuntime;
  readonly mappings: readonly EventSourceMapping[];
  /** `event` mode: the validation's asynchronous invocations, with Lambda's retries (the local runtime's invoker). */
  readonly validations: AsyncInvoker | undefined;
}

/**
 * Runs the whole pipeline on a seeded workload: every receipt is uploaded at its time to the system of its mode,
 * the stream feeds the compactor (and in `event` mode the validation), people and another service act on the
 * receipts, and faults are injected as the profile says. Everything runs on one virtual clock and one seeded
 * random source, so a seed (with `only` and `filter`) always gives the same trace. Each receipt is checked for
 * good as soon as nothing more can happen to it, and forgotten.
 */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const profileName = options.profile ?? 'standard';
  const profile = faultProfile(profileName);
  const code = options.code ?? PRODUCTION_CODE;
  const root = new SimRandom(options.seed);

  const clock = new VirtualClock(START);
  const elapsed = () => clock.now() - START;
  const trace = new Trace({ start: START, keep: options.keepTrace ?? false });
  const faults = new FaultBook({ root, profile, filter: options.filter ?? NO_FILTER, now: elapsed });
  const violations: Violation[] = [];
  let stopped = false;

  const timings = {
    gateMaxWaitMs: SEED_GATE_POLICY.maxWaitMs,
    compactionTimeoutMs: FUNCTION_TIMEOUTS_MS.dispatcher,
  };
  const shape = drawRunShape(root.fork('shape'), profile, timings, {
    lanesPerShard: DISPATCHER_STREAM_SETTINGS.parallelizationFactor,
  });
  const arrivals = arrivalTimes(root, options.receipts, shape);
  const plans: ReceiptPlan[] = [];
  for (let index = 0; index < options.receipts; index++) {
    if (options.only && !options.only.has(index)) continue;
    plans.push(planReceipt(root, index, arrivals[index] ?? 0, shape, profile, timings));
  }
  const planOf = new Map(plans.map((plan) => [plan.index, plan]));
  const indexByImage = new Map(plans.map((plan) => [plan.imageId, plan.index]));
  const receiptIndex = (imageId: string) => indexByImage.get(imageId.toLowerCase());
  const plannedFault = <K extends PlannedFault['kind']>(receipt: number | undefined, kind: K) => {
    const fault =
      receipt === undefined ? undefined : planOf.get(receipt)?.faults.find((f) => f.kind === kind);
    return fault && faults.enabled(kind, fault.id)
      ? (fault as Extract<PlannedFault, { kind: K }>)
      : undefined;
  };
  const booked = new Set<string>();
  const bookOnce = (fault: PlannedFault, receipt: number) => {
    if (booked.has(fault.id)) return;
    booked.add(fault.id);
    faults.book(fault.kind, fault.id, receipt);
    trace.add(clock.now(), receipt, `fault ${fault.id}`);
  };

  const lastArrival = plans.reduce((max, plan) => Math.max(max, plan.arrivalAt), 0);
  const probe = buildPipeline('inline', code).config;
  const monitor = new Monitor({
    trace,
    now: () => clock.now(),
    elapsed,
    receiptIndex,
    outcomePolicy: probe.outcomePolicy,
    pollTimeoutMs: SEED_GATE_POLICY.pollTimeoutMs,
    reserveMs: probe.inlineReserveMs,
    onViolation: (violation) => {
      violations.push(violation);
      if (options.stopWhen?.(violation)) stopped = true;
    },
  });

  // Retirement: a receipt with no activity, no planned action and no record outstanding is checked and dropped.
  const activities = new Map<number, number>();
  const retired = new Set<number>();
  const uploaded = new Set<number>();
  const systems = new Map<RunMode, SimSystem>();
  let checkedReceipts = 0;
  let acceptedEvents = 0;
  /** Asynchronous validations of each receipt accepted and not yet done (handled or given up on). */
  const validationsPending = new Map<number, number>();
  const countValidation = (index: number | undefined, delta: 1 | -1) => {
    if (index === undefined) return;
    const left = (validationsPending.get(index) ?? 0) + delta;
    if (left > 0) validationsPending.set(index, left);
    else validationsPending.delete(index);
    if (delta < 0) maybeRetire(index);
  };
  const busy = (index: number) => {
    if ((activities.get(index) ?? 0) > 0 || validationsPending.has(index)) return true;
    const plan = planOf.get(index);
    const system = plan && systems.get(plan.mode);
    return system?.mappings.some((mapping) => mapping.outstanding(index) > 0) ?? false;
  };
  const check = async (plan: ReceiptPlan, blocking: readonly string[]) => {
    const system = systems.get(plan.mode) as SimSystem;
    const findings = await finalChecks({
      plan,
      database: system.database,
      uploaded: uploaded.has(plan.index),
      timesValidated: (run) => monitor.timesValidated(run),
      decided: monitor.decidedLabels(plan.index),
      blocking,
    });
    for (const finding of findings) monitor.violate(finding.invariant, plan.index, finding.message);
    const runKeys = system.database.peek(plan).runKeys;
    monitor.forget(plan.index, runKeys);
    system.database.drop(plan);
    checkedReceipts++;
  };
  const maybeRetire = (index: number) => {
    if (retired.has(index) || busy(index)) return;
    const plan = planOf.get(index);
    if (!plan) return;
    retired.add(index);
    void check(plan, []);
  };
  for (const mode of ['inline', 'event'] as const) {
    if (!plans.some((plan) => plan.mode === mode)) continue;
    const pipeline = buildPipeline(mode, code);
    let validations: AsyncInvoker | undefined;
    const stream = new TableStream({
      shards: shape.shards,
      table: pipeline.config.tableName,
      region: 'us-east-1',
      now: () => clock.now(),
    });
    const database = new Database({
      stream,
      clock,
      merchantToItem: pipeline.merchantToItem,
      observer: monitor,
      ...(code.labelClass && { labelClass: code.labelClass }),
      loses: (receipt, prefix) => {
        const index = receiptIndex(receipt.imageId);
        const fault = plannedFault(index, 'lost-delta');
        if (!fault || index === undefined || !prefix.startsWith(`${fault.collection}/`)) return false;
        bookOnce(fault, index);
        return true;
      },
      dispatchValidation: (run) => {
        if (!validations) throw new TypeError(`a ${mode} system dispatches no validation`);
        countValidation(receiptIndex(run.imageId), 1);
        const queued: QueuedValidation = { event: ++acceptedEvents, payload: validationRequestOf(run) };
        validations.invoke(queued);
      },
    });
    const runtime = new LambdaRuntime({
      clock,
      trace,
      faults,
      observer: monitor,
      database,
      receiptIndex,
      elapsed,
      throttleWindows: throttleWindows(root, mode, lastArrival, profile),
      plannedLatency: (receipt, store, method) => {
        if (store !== 'snapshots' || method !== 'merge' || receipt === undefined) return 0;
        const fault = plannedFault(receipt, 'slow-merge');
        if (!fault) return 0;
        bookOnce(fault, receipt);
        return fault.mergeMs;
      },
      analyzerFault: (receipt, kind) => plannedFault(receipt, kind),
    });
    const receiptOf = (record: DynamoDBRecord) => {
      const pk = record.dynamodb?.Keys?.PK?.S;
      return pk ? receiptIndex(pk.replace(/^IMAGE#/, '')) : undefined;
    };
    const mappings = pipeline.mappings.map(
      (mapping) =>
        new EventSourceMapping(mapping.settings, {
          clock,
          stream,
          accepts: mapping.accepts,
          invoke: (event, receipt) =>
            runtime.invoke(mapping.fn.name, mapping.fn.timeoutMs, mapping.fn.build, event, receipt),
          receiptOf,
          faults,
          trace,
          observer: {
            givenUp: (name, records, condition, error) => monitor.givenUp(name, records, condition, error),
            settled: (_name, receipt) => {
              if (receipt !== undefined) maybeRetire(receipt);
            },
          },
        }),
    );
    const validation = pipeline.validation;
    if (validation) {
      const receiptOfRequest = (event: unknown) =>
        receiptIndex((event as ReturnType<typeof validationRequestOf>).run.imageId);
      /** Attempts so far of each accepted event. */
      const attempts = new Map<number, number>();
      validations = new AsyncInvoker({
        name: validation.name,
        ...validation.settings,
        retryDelaysMs: validation.retryDelaysMs,
        region: 'us-east-1',
        now: () => clock.now(),
        sleep: (ms, signal) => {
          // Every event waiting for a retry listens on the invoker's one signal: hundreds at a time is normal here.
          setMaxListeners(0, signal);
          return clock.sleep(ms, signal).catch(() => {});
        },
        handler: async (accepted) => {
          // Lambda keeps each accepted event with an id of its own; the function gets the payload alone.
          const { event: id, payload } = accepted as QueuedValidation;
          const receipt = receiptOfRequest(payload);
          // The last attempt the budget allows runs healed (see InvokeOptions).
          const attempt = (attempts.get(id) ?? 0) + 1;
          attempts.set(id, attempt);
          const healed = attempt > validation.settings.maximumRetryAttempts;
          const outcome = await runtime.invoke(
            validation.name,
            validation.timeoutMs,
            validation.build,
            payload,
            receipt,
            { healed },
          );
          if (outcome.status === 'returned') attempts.delete(id);
          if (outcome.status === 'threw') throw outcome.error;
          if (outcome.status !== 'returned')
            throw new Error(`the validation ${outcome.status.replace('_', ' ')}`);
          countValidation(receipt, -1);
        },
        onFailure: (record) => {
          const { event: id, payload } = record.requestPayload as QueuedValidation;
          attempts.delete(id);
          const receipt = receiptOfRequest(payload);
          monitor.validationGivenUp(receipt, record);
          countValidation(receipt, -1);
        },
      });
    }
    systems.set(mode, { mode, pipeline, database, stream, runtime, mappings, validations });
    for (const mapping of mappings) mapping.start();
  }

  const agenda = new Agenda(clock);
  /** Plans `work` for receipt `index` at clock time `at`: an activity of the receipt from now until it ends. */
  const planned = (index: number, at: number, work: () => Promise<void>) => {
    activities.set(index, (activities.get(index) ?? 0) + 1);
    agenda.plan(at, () => {
      void work().finally(() => {
        const left = (activities.get(index) ?? 1) - 1;
        if (left > 0) activities.set(index, left);
        else activities.delete(index);
        maybeRetire(index);
      });
    });
  };
  for (const plan of plans) {
    const system = systems.get(plan.mode) as SimSystem;
    const at = START + plan.arrivalAt;
    planned(plan.index, at, () => upload(plan, system, 'upload'));
    for (const fault of plan.faults) {
      if (!faults.enabled(fault.kind, fault.id)) continue;
      if (fault.kind === 'duplicate-upload') {
        planned(plan.index, at + fault.afterMs, async () => {
          bookOnce(fault, plan.index);
          await upload(plan, system, 'duplicate upload');
        });
      } else if (fault.kind === 'person-decision') {
        planned(plan.index, at + fault.afterMs, () => decide(plan, system, fault));
      } else if (fault.kind === 'merchant-change') {
        planned(plan.index, at + fault.afterMs, () => changeMerchant(plan, system, fault));
      }
    }
  }

  async function upload(plan: ReceiptPlan, system: SimSystem, what: string): Promise<void> {
    const fn = system.pipeline.upload;
    for (let attempt = 1; attempt <= UPLOAD_ATTEMPTS; attempt++) {
      trace.add(
        clock.now(),
        plan.index,
        `${what} attempt ${attempt} (${plan.mode}, ${plan.sample.name}${plan.wrongMerchant ? ', merchant record of another business' : ''})`,
      );
      const outcome = await system.runtime.invoke(fn.name, fn.timeoutMs, fn.build, plan.payload, plan.index);
      if (outcome.status === 'returned') {
        uploaded.add(plan.index);
        return;
      }
      // A client retries a failed upload after a pause, as an SDK or a queue would.
      await clock.sleep(Math.min(30_000, 1_000 * 2 ** (attempt - 1)));
    }
  }

  async function decide(
    plan: ReceiptPlan,
    system: SimSystem,
    fault: Extract<PlannedFault, { kind: 'person-decision' }>,
  ): Promise<void> {
    bookOnce(fault, plan.index);
    const decided = await system.database.decideLabel(
      plan,
      fault,
      (existing): ReceiptWordLabel =>
        existing
          ? { ...existing, validationStatus: fault.status }
          : {
              imageId: plan.imageId,
              receiptId: plan.receiptId,
              lineId: fault.lineId,
              wordId: fault.wordId,
              label: fault.label,
              reasoning: 'decided by a person',
              timestampAdded: toTimestamp(clock.now()),
              validationStatus: fault.status,
            },
    );
    trace.add(
      clock.now(),
      plan.index,
      `person decides ${decided.label} on ${decided.lineId}/${decided.wordId}: ${decided.validationStatus}`,
    );
  }

  async function changeMerchant(
    plan: ReceiptPlan,
    system: SimSystem,
    fault: Extract<PlannedFault, { kind: 'merchant-change' }>,
  ): Promise<void> {
    // Another service changes a record that exists: it waits for the upload to have stored one.
    for (let tries = 0; tries < 60; tries++) {
      const changed = await system.database.changeMerchantRecord(
        plan,
        (record): MerchantRecord => ({
          ...record,
          [fault.field]: fault.value,
          timestamp: toTimestamp(clock.now()),
        }),
      );
      if (changed) {
        bookOnce(fault, plan.index);
        trace.add(
          clock.now(),
          plan.index,
          `another service sets ${fault.field} to ${JSON.stringify(fault.value)}`,
        );
        return;
      }
      await clock.sleep(10_000);
    }
  }

  void agenda.run();
  let lastProgress = -1;
  const progress = () => {
    if (!options.onProgress || checkedReceipts === lastProgress) return;
    lastProgress = checkedReceipts;
    options.onProgress({
      done: checkedReceipts,
      total: plans.length,
      virtualMs: elapsed(),
      faults: faults.injected.length,
      violations: violations.length,
    });
  };
  const everything = () => [...systems.values()];
  const end = await drive(clock, {
    done: () => {
      progress();
      return (
        agenda.size === 0 &&
        activities.size === 0 &&
        everything().every(
          (system) =>
            system.runtime.inFlight === 0 &&
            system.mappings.every((m) => m.idle) &&
            (system.validations?.idle ?? true),
        )
      );
    },
    stop: () => stopped,
    horizonAt: START + lastArrival + DRAIN_HORIZON_MS,
  });
  if (end === 'stalled') {
    monitor.violate('simulation', undefined, 'the run stalled: work is pending but no timer can wake it');
  }
  if (end !== 'stopped') {
    // Whatever is not checked yet: receipts still blocked (or the run ended early).
    for (const plan of plans) {
      if (retired.has(plan.index)) continue;
      retired.add(plan.index);
      const system = systems.get(plan.mode) as SimSystem;
      const blocking = system.mappings
        .flatMap((mapping) => mapping.pending())
        .filter((pending) => pending.receipt === plan.index)
        .map((pending) => pending.text);
      await check(
        plan,
        end === 'horizon' && blocking.length === 0 ? ['the run reached its horizon'] : blocking,
      );
    }
  }
  progress();
  const stats: Record<string, number> = {
    streamRecords: 0,
    invocations: 0,
    retries: 0,
    givenUp: 0,
    redelivered: 0,
    validations: 0,
    validationRetries: 0,
  };
  for (const system of everything()) {
    stats.streamRecords = (stats.streamRecords ?? 0) + system.stream.length;
    for (const mapping of system.mappings) {
      stats.invocations = (stats.invocations ?? 0) + mapping.stats.invocations;
      stats.retries = (stats.retries ?? 0) + mapping.stats.retries;
      stats.givenUp = (stats.givenUp ?? 0) + mapping.stats.givenUp;
      stats.redelivered = (stats.redelivered ?? 0) + mapping.stats.redelivered;
    }
    const invoked = system.validations?.stats();
    stats.validations = (stats.validations ?? 0) + (invoked?.attempts ?? 0);
    stats.validationRetries = (stats.validationRetries ?? 0) + (invoked?.retries ?? 0);
  }
  return {
    seed: options.seed,
    profile: profileName,
    shape,
    receipts: plans.length,
    plans,
    faults: faults.injected,
    violations,
    end,
    traceHash: trace.hash,
    traceLength: trace.length,
    trace: trace.lines,
    virtualMs: elapsed(),
    stats,
  };
}
