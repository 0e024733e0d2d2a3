import {
  type CompactionRun,
  type CompactionRunKey,
  compactionFailure,
  isCompactionCompleted,
  parseCompactionRunKey,
} from '../domain/compaction-run.js';
import { InvalidValueError } from '../errors/invalid-value-error.js';
import { TransientStoreError } from '../errors/transient-store-error.js';
import type { Clock } from '../ports/clock.js';
import type { CompactionGate, GateOutcome, GateResult, WaitOptions } from '../ports/compaction-gate.js';
import type { CompactionRunRepository } from '../ports/compaction-run-repository.js';
import type { MetricName, Telemetry } from '../ports/telemetry.js';
import { NOOP_TELEMETRY } from '../telemetry/noop-telemetry.js';
import { type GatePolicy, pollInterval, resolveGatePolicy } from './gate-policy.js';

export interface PollingCompactionGateDeps {
  readonly runs: CompactionRunRepository;
  readonly clock: Clock;
  /** Source of jitter, in [0, 1) (a draw outside it is clamped into it). */
  readonly random?: () => number;
  readonly telemetry?: Telemetry;
}

const OUTCOME_METRIC: Readonly<Record<GateOutcome, MetricName>> = {
  completed: 'GateOutcomeCompleted',
  failed: 'GateOutcomeFailed',
  timed_out: 'GateOutcomeTimedOut',
  not_found: 'GateOutcomeNotFound',
  aborted: 'GateOutcomeAborted',
};

// The reason the per-read timer is cancelled with; a shared value spares building a DOMException per read.
const READ_SETTLED = Symbol('read settled');

/** Raised inside a read that outlived `pollTimeoutMs`. */
class ReadTimeoutError extends TransientStoreError {}

/** What one read found: the run (undefined when missing), or the error of a transient failure. */
type Read = { readonly run: CompactionRun | undefined } | { readonly error: string };

/**
 * Waits for a compaction run by polling it: the seed's wait, on one clock-measured deadline, with FAILED
 * terminal, a grace period for a missing run, bounded reads, and prompt, quiet abort.
 */
export class PollingCompactionGate implements CompactionGate {
  readonly policy: GatePolicy;
  readonly #runs: CompactionRunRepository;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #telemetry: Telemetry;

  constructor(deps: PollingCompactionGateDeps, policy: Partial<GatePolicy> = {}) {
    this.policy = resolveGatePolicy(policy);
    if (deps.random !== undefined && typeof deps.random !== 'function') {
      throw new InvalidValueError('PollingCompactionGateDeps.random', 'expected a function returning [0, 1)');
    }
    this.#runs = deps.runs;
    this.#clock = deps.clock;
    this.#random = deps.random ?? Math.random;
    this.#telemetry = deps.telemetry ?? NOOP_TELEMETRY;
  }

  /**
   * Rejects with InvalidValueError, before any read, a malformed key or a `deadlineAt` that is not a finite
   * epoch ms (a NaN deadline would never pass, and turn the wait into a loop of reads).
   */
  async waitForCompaction(key: CompactionRunKey, options: WaitOptions = {}): Promise<GateResult> {
    parseCompactionRunKey(key);
    // Without a caller signal, one that never aborts: the same code serves both.
    const signal = options.signal ?? new AbortController().signal;
    if (options.deadlineAt !== undefined && !Number.isFinite(options.deadlineAt)) {
      throw new InvalidValueError(
        'WaitOptions.deadlineAt',
        `expected a finite epoch ms, got ${String(options.deadlineAt)}`,
      );
    }
    const startedAt = this.#clock.now();
    const deadline = Math.min(
      startedAt + this.policy.maxWaitMs,
      options.deadlineAt ?? Number.POSITIVE_INFINITY,
    );
    let polls = 0;
    let lastRun: CompactionRun | undefined;
    let lastError: string | undefined;
    let everSeen = false;
    // Some read was answered (the run, or its absence), as opposed to every read failing.
    let everAnswered = false;

    const settle = (outcome: GateOutcome, error = lastError): GateResult => {
      const waitedMs = this.#clock.now() - startedAt;
      const result: GateResult = {
        outcome,
        waitedMs,
        polls,
        ...(lastRun && { run: lastRun }),
        ...(error !== undefined && { error }),
      };
      this.#telemetry.event({
        type: 'gate.settled',
        run: key,
        outcome,
        waitedMs,
        polls,
        ...(error && { error }),
      });
      this.#telemetry.metric(OUTCOME_METRIC[outcome], 1, 'Count');
      this.#telemetry.metric('GateWaitMs', waitedMs, 'Milliseconds');
      this.#telemetry.metric('GateReads', polls, 'Count');
      return result;
    };

    if (signal.aborted) return settle('aborted');
    this.#telemetry.event({ type: 'gate.waiting', run: key, deadlineInMs: deadline - startedAt });

    for (let attempt = 0; ; attempt++) {
      const read = await this.#read(key, signal);
      if (read === undefined) return settle('aborted');
      polls++;
      const now = this.#clock.now();
      if ('error' in read) {
        lastError = read.error;
        this.#telemetry.event({ type: 'gate.read_failed', run: key, error: read.error, polls });
      } else {
        lastRun = read.run;
        everAnswered = true;
        everSeen ||= read.run !== undefined;
        this.#telemetry.event({
          type: 'gate.progress',
          run: key,
          linesState: read.run?.linesState ?? 'MISSING',
          wordsState: read.run?.wordsState ?? 'MISSING',
          elapsedMs: now - startedAt,
          polls,
        });
        if (read.run && isCompactionCompleted(read.run)) return settle('completed', undefined);
        const failure = read.run && compactionFailure(read.run);
        if (failure) return settle('failed', failure);
        if (!everSeen && now - startedAt >= this.policy.notFoundGraceMs) return settle('not_found');
      }
      if (now >= deadline) return settle(everAnswered && !everSeen ? 'not_found' : 'timed_out');

      try {
        await this.#clock.sleep(
          Math.min(pollInterval(this.policy, attempt, this.#random), deadline - now),
          signal,
        );
      } catch (error) {
        if (signal.aborted) return settle('aborted');
        throw error;
      }
      if (signal.aborted) return settle('aborted');
    }
  }

  /**
   * One read, bounded by `pollTimeoutMs` and by the caller's signal even if the repository ignores its signal;
   * undefined when the caller aborted (even at the very instant the answer came: the caller has let go of it).
   */
  async #read(key: CompactionRunKey, signal: AbortSignal): Promise<Read | undefined> {
    const attempt = new AbortController();
    const stopTimer = new AbortController();
    const onCallerAbort = () => attempt.abort(signal.reason);
    signal.addEventListener('abort', onCallerAbort);
    this.#clock.sleep(this.policy.pollTimeoutMs, stopTimer.signal).then(
      () => attempt.abort(new ReadTimeoutError(`read timed out after ${this.policy.pollTimeoutMs} ms`)),
      () => {},
    );
    const abandoned = new Promise<never>((_, reject) => {
      attempt.signal.addEventListener('abort', () => reject(attempt.signal.reason));
    });
    try {
      const run = await Promise.race([
        this.#runs.getCompactionRun(key, { signal: attempt.signal }),
        abandoned,
      ]);
      return signal.aborted ? undefined : { run };
    } catch (error) {
      if (signal.aborted) return undefined;
      // A read past its timeout rejects with the ReadTimeoutError it was abandoned with: a transient failure.
      if (error instanceof TransientStoreError) return { error: error.message };
      throw error;
    } finally {
      stopTimer.abort(READ_SETTLED);
      signal.removeEventListener('abort', onCallerAbort);
    }
  }
}
