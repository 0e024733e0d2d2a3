import type { Clock, MetricName, ReceiptAnalyzer, TelemetryEvent } from '@receipt-gate/core';
import { TransientStoreError } from '@receipt-gate/core';
import { InjectedPermanentError, type VirtualClock } from '@receipt-gate/core/testing';
import type { DeadLetter, DeadLetterStore } from '@receipt-gate/lambda';
import type { Context } from 'aws-lambda';
import type { FaultBook, ThrottleWindow } from '../scenario/runtime-faults.js';
import type { PlannedFault } from '../scenario/workload.js';
import type { Database, StoreName, Writer } from '../table/database.js';
import { READ_METHODS } from '../table/database.js';
import type { Trace } from '../world/trace.js';
import {
  type Environment,
  type Invocation,
  type InvocationOutcome,
  type InvokeOptions,
  never,
} from './invocation.js';

export type AnalyzerFaultKind = 'analyzer-failure' | 'analyzer-overrun';
export type AnalyzerFault = Extract<PlannedFault, { kind: AnalyzerFaultKind }>;

/** What the invariant monitor hears from the runtime. */
export interface RuntimeObserver {
  invocationStarted(invocation: Invocation): void;
  invocationEnded(invocation: Invocation, outcome: InvocationOutcome): void;
  /** Before a store call's latency and faults: what the code asked for, and when. */
  storeCallStarted(invocation: Invocation, store: StoreName, method: string, args: readonly unknown[]): void;
  /** After a store call answered (or threw). */
  storeCallEnded(
    invocation: Invocation,
    store: StoreName,
    method: string,
    args: readonly unknown[],
    ok: boolean,
  ): void;
  telemetry(invocation: Invocation | undefined, event: TelemetryEvent): void;
  metric(invocation: Invocation | undefined, name: MetricName, value: number): void;
  /** The simulation could not tell which receipt a call concerns (a port the wiring must learn about). */
  unroutable(invocation: Invocation, error: unknown): void;
  /** The code did something (a store call, a timer) while no invocation of its environment was running. */
  workAfterReturn(env: Environment, what: string): void;
  /** The dispatcher put stream records in its dead-letter store (records it can never apply). */
  deadLettered(invocation: Invocation | undefined, letters: readonly DeadLetter[]): void;
}

/** Everything a runtime needs from the run. */
export interface RuntimeContext {
  readonly clock: VirtualClock;
  readonly trace: Trace;
  readonly faults: FaultBook;
  readonly observer: RuntimeObserver;
  readonly database: Database;
  /** The index of a receipt of the workload, by its image id. */
  readonly receiptIndex: (imageId: string) => number | undefined;
  /** A planned extra latency for a call (a slow merge), in ms. */
  readonly plannedLatency: (receipt: number | undefined, store: StoreName, method: string) => number;
  readonly throttleWindows: readonly ThrottleWindow[];
  /** The receipt's planned analyzer fault of that kind, if it has one. */
  readonly analyzerFault: (receipt: number, kind: AnalyzerFaultKind) => AnalyzerFault | undefined;
  /** Virtual ms since the run started. */
  readonly elapsed: () => number;
}

/** What a function's environment gets to build its handler: ports bound to it, so each call is its own. */
export interface EnvironmentPorts {
  readonly clock: Clock;
  readonly telemetry: {
    event(event: TelemetryEvent): void;
    metric(name: MetricName, value: number, unit: 'Count' | 'Milliseconds'): void;
  };
  store<T>(store: StoreName): T;
  analyzer(inner: ReceiptAnalyzer): ReceiptAnalyzer;
  /** The dispatcher's dead-letter store (a queue in production): the monitor hears every letter. */
  readonly deadLetters: DeadLetterStore;
}

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

const TABLE_STORES: ReadonlySet<StoreName> = new Set(['runs', 'labels', 'receipts', 'merchant']);
/** The reason a settled invocation's timeout is cancelled with (a shared value: no DOMException per abort). */
const SETTLED = Symbol('settled');

/**
 * Lambda in virtual time: functions with a pool of execution environments (one invocation at a time each, a new
 * one when all are busy, reused warm), each invocation raced against its timeout and its crash point. A crashed or
 * timed-out environment is dead: its code's later store calls and timers never answer, as a killed process's.
 * Store calls go through the fault layer (latency, throttling, transient, permanent, lost answers, hanging reads).
 */
export class LambdaRuntime {
  readonly #context: RuntimeContext;
  readonly #idle = new Map<string, Environment[]>();
  readonly #analysesFaulted = new Set<string>();
  #environments = 0;
  #invocations = 0;
  #inFlight = 0;
  readonly #throttlesBooked = new Set<string>();
  /** How to end each running invocation as crashed. */
  readonly #crashes = new Map<Invocation, () => void>();

  constructor(context: RuntimeContext) {
    this.#context = context;
  }

  /** Invocations running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Invokes `fn` once: an idle environment of it, or a new one built by `build`. */
  async invoke(
    fn: string,
    timeoutMs: number,
    build: (ports: EnvironmentPorts) => Handler,
    event: unknown,
    receipt: number | undefined,
    options: InvokeOptions = {},
  ): Promise<InvocationOutcome> {
    const { clock, faults, observer, trace } = this.#context;
    const idle = this.#idle.get(fn) ?? [];
    let env = idle.pop();
    let handler: Handler;
    if (env) {
      handler = (env as Environment & { handler: Handler }).handler;
    } else {
      const created: Environment = {
        id: ++this.#environments,
        fn,
        dead: false,
        current: undefined,
        pendingTimers: new Set(),
      };
      handler = build(this.#ports(created));
      env = Object.assign(created, { handler });
    }
    const startedAt = clock.now();
    const healed = options.healed ?? false;
    const crashPoint = faults.crashPoint(receipt);
    const crashAfterWrites = healed ? undefined : crashPoint;
    const invocation: Invocation = {
      id: ++this.#invocations,
      fn,
      env,
      startedAt,
      deadline: startedAt + timeoutMs,
      receipt,
      writes: 0,
      crashAfterWrites,
      healed,
      ended: false,
    };
    env.current = invocation;
    this.#inFlight++;
    observer.invocationStarted(invocation);
    trace.add(
      clock.now(),
      receipt,
      `invoke ${fn}#${invocation.id} env ${env.id}${healed ? ' (healed)' : ''}`,
    );
    const stopTimeout = new AbortController();
    const crashed = new Promise<InvocationOutcome>((resolve) => {
      this.#crashes.set(invocation, () => resolve({ status: 'crashed', afterWrites: invocation.writes }));
    });
    const timedOut = clock.sleep(timeoutMs, stopTimeout.signal).then(
      (): InvocationOutcome => ({ status: 'timed_out' }),
      () => never<InvocationOutcome>(),
    );
    const ran = Promise.resolve()
      .then(() => handler(event, this.#lambdaContext(fn, invocation)))
      .then(
        (value): InvocationOutcome => ({ status: 'returned', value }),
        (error: unknown): InvocationOutcome => ({ status: 'threw', error }),
      );
    const outcome = await Promise.race([ran, timedOut, crashed]);
    stopTimeout.abort(SETTLED);
    this.#crashes.delete(invocation);
    invocation.ended = true;
    this.#inFlight--;
    if (outcome.status === 'returned' || outcome.status === 'threw') {
      env.current = undefined;
      observer.invocationEnded(invocation, outcome);
      idle.push(env);
      this.#idle.set(fn, idle);
    } else {
      env.dead = true;
      env.current = undefined;
      observer.invocationEnded(invocation, outcome);
    }
    trace.add(clock.now(), receipt, `end ${fn}#${invocation.id} ${describeOutcome(outcome)}`);
    return outcome;
  }

  #lambdaContext(fn: string, invocation: Invocation): Context {
    const { clock } = this.#context;
    const unsupported = () => {
      throw new Error('callbacks are not supported: return or throw from the async handler');
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn}`,
      memoryLimitInMB: '1024',
      awsRequestId: `sim-${invocation.id}`,
      logGroupName: `/aws/lambda/${fn}`,
      logStreamName: `sim/[$LATEST]${invocation.env.id}`,
      getRemainingTimeInMillis: () => Math.max(0, invocation.deadline - clock.now()),
      done: unsupported,
      fail: unsupported,
      succeed: unsupported,
    };
  }

  #ports(env: Environment): EnvironmentPorts {
    const context = this.#context;
    let timers = 0;
    const clock: Clock = {
      now: () => context.clock.now(),
      sleep: (ms, signal) => {
        if (env.dead) return never();
        if (!env.current) context.observer.workAfterReturn(env, `a ${ms} ms timer`);
        if (!(ms > 0)) return context.clock.sleep(ms, signal);
        const id = ++timers;
        env.pendingTimers.add(id);
        return context.clock.sleep(ms, signal).then(
          () => {
            env.pendingTimers.delete(id);
            return env.dead ? never<void>() : undefined;
          },
          (error: unknown) => {
            env.pendingTimers.delete(id);
            if (env.dead) return never<void>();
            throw error;
          },
        );
      },
    };
    return {
      clock,
      telemetry: {
        event: (event) => context.observer.telemetry(env.current, event),
        metric: (name, value) => context.observer.metric(env.current, name, value),
      },
      store: <T>(store: StoreName): T =>
        new Proxy(
          {},
          {
            get: (_, method) =>
              typeof method === 'string' && method !== 'then'
                ? (...args: unknown[]) => this.#storeCall(env, store, method, args)
                : undefined,
          },
        ) as T,
      analyzer: (inner) => this.#analyzer(inner, env),
      deadLetters: {
        put: async (letters) => context.observer.deadLettered(env.current, letters),
      },
    };
  }

  /** One store call of a handler: latency, faults and crash points around the database's answer. */
  async #storeCall(env: Environment, store: StoreName, method: string, args: unknown[]): Promise<unknown> {
    const { clock, faults, observer, database, trace } = this.#context;
    if (env.dead) return never();
    const invocation = env.current;
    if (!invocation) {
      observer.workAfterReturn(env, `${store}.${method}`);
      return never();
    }
    let receiptRef: ReturnType<Database['receiptOfCall']>;
    try {
      receiptRef = database.receiptOfCall(store, method, args);
    } catch (error) {
      observer.unroutable(invocation, error);
      throw error;
    }
    const receipt = receiptRef && this.#context.receiptIndex(receiptRef.imageId);
    const write = !READ_METHODS[store].includes(method);
    const signal = signalIn(args);
    observer.storeCallStarted(invocation, store, method, args);
    if (invocation.crashAfterWrites === 0) return this.#crash(invocation, receipt, `${store}.${method}`);
    const drawn = faults.storeCall(receipt, { write, signal: signal !== undefined });
    const fate = invocation.healed ? { ...drawn, fault: undefined } : drawn;
    const latencyMs = Math.max(fate.latencyMs, this.#context.plannedLatency(receipt, store, method));
    const call = `${store}.${method}`;
    let ok = false;
    try {
      if (latencyMs > 0) await clock.sleep(latencyMs, signal);
      if (env.dead) return never();
      const throttled = TABLE_STORES.has(store) && !invocation.healed ? this.#throttle(receipt) : undefined;
      if (throttled) throw new TransientStoreError(`injected: ${call} throttled (${throttled})`);
      if (fate.fault === 'transient') throw new TransientStoreError(`injected: ${call} timed out`);
      if (fate.fault === 'permanent') throw new InjectedPermanentError(`injected: ${call} refused`);
      if (fate.fault === 'hang' && signal) {
        trace.add(clock.now(), receipt, `${call} hangs until aborted`);
        await new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      const writer: Writer = { kind: 'invocation', id: invocation.id, fn: invocation.fn };
      const result = await database.call(writer, store, method, args);
      if (env.dead) return never();
      if (write) {
        invocation.writes++;
        if (invocation.crashAfterWrites === invocation.writes) return this.#crash(invocation, receipt, call);
        if (fate.fault === 'ambiguous')
          throw new TransientStoreError(`injected: ${call} took effect, its answer was lost`);
      }
      ok = true;
      return result;
    } finally {
      if (!env.dead) {
        trace.add(
          clock.now(),
          receipt,
          `${call} ${ok ? 'ok' : 'failed'}${fate.fault ? ` (${fate.fault})` : ''}`,
        );
        observer.storeCallEnded(invocation, store, method, args, ok);
      }
    }
  }

  #crash(invocation: Invocation, receipt: number | undefined, during: string): Promise<never> {
    invocation.env.dead = true;
    this.#context.trace.add(
      this.#context.clock.now(),
      receipt,
      `crash ${invocation.fn}#${invocation.id} after ${invocation.writes} writes, at ${during}`,
    );
    this.#crashes.get(invocation)?.();
    return never();
  }

  /** The throttle window the run is in now, if any (booked as a fault the first time it bites). */
  #throttle(receipt: number | undefined): string | undefined {
    const now = this.#context.elapsed();
    const window = this.#context.throttleWindows.find((w) => w.start <= now && now < w.end);
    if (!window || !this.#context.faults.enabled('throttle', window.id)) return undefined;
    if (!this.#throttlesBooked.has(window.id)) {
      this.#throttlesBooked.add(window.id);
      this.#context.faults.book('throttle', window.id, receipt);
    }
    return window.id;
  }

  /** The analyzer with the planned faults: the first analysis of a receipt may fail, or overrun its deadline. */
  #analyzer(inner: ReceiptAnalyzer, env: Environment): ReceiptAnalyzer {
    const context = this.#context;
    return {
      name: inner.name,
      analyze: async (input, options) => {
        const receipt = context.receiptIndex(input.receipt.imageId);
        // A healed attempt meets no fault: a planned one stays for a later analysis of the receipt.
        const fault = receipt === undefined || env.current?.healed ? undefined : this.#analyzerFault(receipt);
        if (fault?.kind === 'analyzer-failure') throw new Error('injected: the analyzer failed');
        if (fault?.kind === 'analyzer-overrun') {
          // A model that ignores its signal: only the validation's own deadline can let it go.
          await context.clock.sleep(fault.analysisMs);
        }
        return inner.analyze(input, options);
      },
    };
  }

  /** Planned analyzer faults act once per receipt (the first analysis); later analyses are normal. */
  #analyzerFault(receipt: number) {
    for (const kind of ['analyzer-failure', 'analyzer-overrun'] as const) {
      const key = `${receipt}.${kind}`;
      if (this.#analysesFaulted.has(key)) continue;
      const fault = this.#context.analyzerFault(receipt, kind);
      if (!fault) continue;
      this.#analysesFaulted.add(key);
      this.#context.faults.book(kind, fault.id, receipt);
      this.#context.trace.add(this.#context.clock.now(), receipt, `fault ${fault.id}`);
      return fault;
    }
    return undefined;
  }
}

function signalIn(args: readonly unknown[]): AbortSignal | undefined {
  for (const arg of args) {
    const signal = (arg as { signal?: unknown } | null)?.signal;
    if (signal instanceof AbortSignal) return signal;
  }
  return undefined;
}

function describeOutcome(outcome: InvocationOutcome): string {
  switch (outcome.status) {
    case 'returned':
      return 'returned';
    case 'threw':
      return `threw ${outcome.error instanceof Error ? `${outcome.error.name}: ${outcome.error.message}` : String(outcome.error)}`;
    case 'timed_out':
      return 'timed out';
    case 'crashed':
      return `crashed after ${outcome.afterWrites} writes`;
  }
}
