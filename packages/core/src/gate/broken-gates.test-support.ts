/**
 * Test-only, BROKEN ON PURPOSE: gates that each carry one known bug, so the property tests can prove they catch
 * it. `SketchGate` is a small gate written to be correct (the properties pass against it too); every variant
 * below overrides one method of it to put one bug back, so a property that fails on a variant fails because of
 * that bug and nothing else. Never wire any of these into anything.
 */
import {
  type CompactionRun,
  type CompactionRunKey,
  compactionFailure,
  isCompactionCompleted,
} from '../domain/compaction-run.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import type { CompactionGate, GateOutcome, GateResult, WaitOptions } from '../ports/compaction-gate.js';
import { type GatePolicy, pollInterval, resolveGatePolicy } from './gate-policy.js';
import type { GateDeps, GateFactory } from './gate-scenarios.test-support.js';

type Read =
  | { readonly kind: 'run'; readonly run: CompactionRun | undefined }
  | { readonly kind: 'transient'; readonly error: string }
  | { readonly kind: 'aborted' };

type Verdict = { readonly outcome: 'completed' | 'failed'; readonly error?: string } | undefined;

interface Wait {
  readonly startedAt: number;
  readonly deadline: number;
  /** Sum of the pauses slept so far (only the counter variant trusts it). */
  slept: number;
}

class ReadTimeoutError extends TransientStoreError {}

/** A minimal correct polling gate: the baseline the broken variants deviate from. */
export class SketchGate implements CompactionGate {
  readonly policy: GatePolicy;
  protected readonly deps: GateDeps;

  constructor(deps: GateDeps, policy: Partial<GatePolicy>) {
    this.deps = deps;
    this.policy = resolveGatePolicy(policy);
  }

  async waitForCompaction(key: CompactionRunKey, options: WaitOptions = {}): Promise<GateResult> {
    const { signal } = options;
    const startedAt = this.deps.clock.now();
    const wait: Wait = {
      startedAt,
      deadline: Math.min(startedAt + this.policy.maxWaitMs, options.deadlineAt ?? Number.POSITIVE_INFINITY),
      slept: 0,
    };
    let polls = 0;
    let everSeen = false;
    let sawMissing = false;
    let run: CompactionRun | undefined;
    let error: string | undefined;
    const settle = (outcome: GateOutcome, why = error): GateResult => ({
      outcome,
      waitedMs: this.elapsed(wait),
      polls,
      ...(run && { run }),
      ...(why !== undefined && { error: why }),
    });

    if (signal?.aborted || !(await this.beforeFirstRead(signal))) return settle('aborted');
    for (let attempt = 0; ; attempt++) {
      const read = await this.read(key, signal);
      if (read.kind === 'aborted' || signal?.aborted) return settle('aborted');
      polls++;
      if (read.kind === 'transient') {
        error = read.error;
        const givenUp = this.onTransient();
        if (givenUp) return settle(givenUp);
      } else {
        run = read.run;
        everSeen ||= run !== undefined;
        sawMissing ||= run === undefined;
        const verdict = run && this.verdict(run);
        if (verdict) return settle(verdict.outcome, verdict.error);
        if (!everSeen && this.elapsed(wait) >= this.policy.notFoundGraceMs) return settle('not_found');
      }
      const remaining = wait.deadline - (startedAt + this.elapsed(wait));
      if (remaining <= 0) return settle(sawMissing && !everSeen ? 'not_found' : 'timed_out');
      const pause = this.pause(pollInterval(this.policy, attempt, this.deps.random), remaining);
      if (pause === undefined) return settle('timed_out');
      if (!(await this.sleep(pause, signal))) return settle('aborted');
      wait.slept += pause;
    }
  }

  /** Time since the wait started, by the clock. */
  protected elapsed(wait: Wait): number {
    return this.deps.clock.now() - wait.startedAt;
  }

  /** False when aborted. */
  protected async beforeFirstRead(_signal: AbortSignal | undefined): Promise<boolean> {
    return true;
  }

  protected verdict(run: CompactionRun): Verdict {
    if (isCompactionCompleted(run)) return { outcome: 'completed' };
    const failure = compactionFailure(run);
    return failure === undefined ? undefined : { outcome: 'failed', error: failure };
  }

  /** How long to sleep before the next read; undefined: give up now. */
  protected pause(interval: number, remaining: number): number | undefined {
    return Math.min(interval, remaining);
  }

  /** False when aborted. */
  protected async sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await this.deps.clock.sleep(ms, signal);
    } catch (error) {
      if (signal?.aborted) return false;
      throw error;
    }
    return !signal?.aborted;
  }

  /** An outcome to give up with after a transient read failure; undefined: keep waiting. */
  protected onTransient(): GateOutcome | undefined {
    return undefined;
  }

  protected isTransient(error: unknown): boolean {
    return error instanceof TransientStoreError;
  }

  /** Arms the per-read timeout; returns how to disarm it. */
  protected startReadTimeout(onTimeout: () => void): () => void {
    const timer = new AbortController();
    this.deps.clock.sleep(this.policy.pollTimeoutMs, timer.signal).then(onTimeout, () => {});
    return () => timer.abort();
  }

  protected async read(key: CompactionRunKey, signal: AbortSignal | undefined): Promise<Read> {
    const attempt = new AbortController();
    const onCallerAbort = () => attempt.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    const disarm = this.startReadTimeout(() => attempt.abort(new ReadTimeoutError('read timed out')));
    // Settles the read even when the store ignores its signal.
    const abandoned = new Promise<never>((_, reject) => {
      attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason), { once: true });
    });
    try {
      const run = await Promise.race([
        this.deps.runs.getCompactionRun(key, { signal: attempt.signal }),
        abandoned,
      ]);
      return { kind: 'run', run };
    } catch (error) {
      if (signal?.aborted) return { kind: 'aborted' };
      if (this.isTransient(error)) return { kind: 'transient', error: String(error) };
      throw error;
    } finally {
      disarm();
      signal?.removeEventListener('abort', onCallerAbort);
    }
  }
}

/** (a) BROKEN: the seed's counter, `waited += interval`: read time is ignored, so slow reads stretch the wait. */
export class CounterInsteadOfClockGate extends SketchGate {
  protected override elapsed(wait: Wait): number {
    return wait.slept;
  }
}

/** (b) BROKEN: only looks for COMPLETED, so a FAILED collection costs the whole wait (the seed's waiter). */
export class CompletedOnlyGate extends SketchGate {
  protected override verdict(run: CompactionRun): Verdict {
    return isCompactionCompleted(run) ? { outcome: 'completed' } : undefined;
  }
}

/**
 * (c) BROKEN: sleeps without the signal, so an abort during a sleep goes unnoticed until the sleep ends, and the
 * gate then makes one more read before it sees the abort.
 */
export class AbortDeafSleepGate extends SketchGate {
  protected override async sleep(ms: number): Promise<boolean> {
    await this.deps.clock.sleep(ms);
    return true;
  }
}

/** (d) BROKEN: never disarms the per-read timeout, so a timer outlives every read, and the wait. */
export class LeakyReadTimeoutGate extends SketchGate {
  protected override startReadTimeout(onTimeout: () => void): () => void {
    this.deps.clock.sleep(this.policy.pollTimeoutMs).then(onTimeout);
    return () => {};
  }
}

/** (e) BROKEN: releases early, taking lines PROCESSING for done once words are COMPLETED. */
export class ProcessingCountsAsDoneGate extends SketchGate {
  protected override verdict(run: CompactionRun): Verdict {
    if (run.linesState === 'PROCESSING' && run.wordsState === 'COMPLETED') return { outcome: 'completed' };
    return super.verdict(run);
  }
}

/** (e) BROKEN: sleeps the whole interval even past the deadline, and reads there. */
export class ReadsPastDeadlineGate extends SketchGate {
  protected override pause(interval: number): number {
    return interval;
  }
}

/** BROKEN: gives up when the next interval would overshoot the deadline, instead of reading at the deadline. */
export class NoFinalReadGate extends SketchGate {
  protected override pause(interval: number, remaining: number): number | undefined {
    return interval > remaining ? undefined : interval;
  }
}

/** BROKEN: sleeps one interval before its first read (a waiter that slept first was a filed SDK bug). */
export class SleepsFirstGate extends SketchGate {
  protected override beforeFirstRead(signal: AbortSignal | undefined): Promise<boolean> {
    return this.sleep(this.policy.pollIntervalMs, signal);
  }
}

/** BROKEN: no grace period, so a run not yet visible at the first read is `not_found` at once (lessons, 4). */
export class NoGraceGate extends SketchGate {
  constructor(deps: GateDeps, policy: Partial<GatePolicy>) {
    super(deps, { ...policy, notFoundGraceMs: 0 });
  }
}

/** BROKEN: gives up (`timed_out`) at the first transient read failure, long before the deadline. */
export class GivesUpOnTransientGate extends SketchGate {
  protected override onTransient(): GateOutcome {
    return 'timed_out';
  }
}

/** BROKEN: takes every read error for transient, so an access-denied read is retried until the deadline. */
export class SwallowsPermanentGate extends SketchGate {
  protected override isTransient(): boolean {
    return true;
  }
}

export const sketchGate: GateFactory = (deps, policy) => new SketchGate(deps, policy);

/** Every broken variant, by the name its test uses. */
export const BROKEN_GATES = {
  counterInsteadOfClock: (deps, policy) => new CounterInsteadOfClockGate(deps, policy),
  completedOnly: (deps, policy) => new CompletedOnlyGate(deps, policy),
  abortDeafSleep: (deps, policy) => new AbortDeafSleepGate(deps, policy),
  leakyReadTimeout: (deps, policy) => new LeakyReadTimeoutGate(deps, policy),
  processingCountsAsDone: (deps, policy) => new ProcessingCountsAsDoneGate(deps, policy),
  readsPastDeadline: (deps, policy) => new ReadsPastDeadlineGate(deps, policy),
  noFinalRead: (deps, policy) => new NoFinalReadGate(deps, policy),
  sleepsFirst: (deps, policy) => new SleepsFirstGate(deps, policy),
  noGrace: (deps, policy) => new NoGraceGate(deps, policy),
  givesUpOnTransient: (deps, policy) => new GivesUpOnTransientGate(deps, policy),
  swallowsPermanent: (deps, policy) => new SwallowsPermanentGate(deps, policy),
} satisfies Record<string, GateFactory>;

export type BrokenGateName = keyof typeof BROKEN_GATES;
