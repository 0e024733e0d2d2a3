/**
 * Test-only: mutants of the real PollingCompactionGate, each putting back one bug a gate can have (most of them
 * bugs the seed's wait had, or a mutation testing run found), so the property tests can prove they catch it.
 */
import type { SourceMutant } from '../source-mutant.test-support.js';

const SLEEP = `await this.#clock.sleep(
          Math.min(pollInterval(this.policy, attempt, this.#random), deadline - now),
          signal,
        );`;
const AT_DEADLINE = `if (now >= deadline) return settle(everAnswered && !everSeen ? 'not_found' : 'timed_out');`;
const GRACE = 'now - startedAt >= this.policy.notFoundGraceMs';

export const GATE_MUTANTS = {
  counterInsteadOfClock: {
    bug: "the seed's counter, `waited += interval`: the time reads take is ignored",
    edits: [
      { find: 'let everAnswered = false;', replace: 'let everAnswered = false;\n    let slept = 0;' },
      { find: 'const waitedMs = this.#clock.now() - startedAt;', replace: 'const waitedMs = slept;' },
      { find: 'const now = this.#clock.now();', replace: 'const now = startedAt + slept;' },
      {
        find: SLEEP,
        replace: `const pause = Math.min(pollInterval(this.policy, attempt, this.#random), deadline - now);
        await this.#clock.sleep(pause, signal);
        slept += pause;`,
      },
    ],
  },
  completedOnly: {
    bug: "only COMPLETED ends the wait, as in the seed's waiter: a FAILED collection costs the whole wait",
    edits: [{ find: "if (failure) return settle('failed', failure);", replace: '' }],
  },
  abortDeafSleep: {
    bug: 'sleeps without the signal: an abort during a sleep is seen only when the sleep ends',
    edits: [
      { find: 'deadline - now),\n          signal,\n        );', replace: 'deadline - now),\n        );' },
    ],
  },
  leakyReadTimeout: {
    bug: 'never disarms the per-read timeout, so a timer outlives every read',
    edits: [{ find: 'stopTimer.abort(READ_SETTLED);', replace: '' }],
  },
  abortListenerKept: {
    bug: "never removes the per-read listener from the caller's signal",
    edits: [{ find: "signal.removeEventListener('abort', onCallerAbort);", replace: '' }],
  },
  processingCountsAsDone: {
    bug: 'releases early, taking lines PROCESSING for done once words are COMPLETED',
    edits: [
      {
        find: 'if (read.run && isCompactionCompleted(read.run))',
        replace:
          "if (read.run && (isCompactionCompleted(read.run) || (read.run.linesState === 'PROCESSING' && read.run.wordsState === 'COMPLETED')))",
      },
    ],
  },
  readsPastDeadline: {
    bug: 'sleeps the whole interval even past the deadline, and reads there',
    edits: [
      {
        find: 'Math.min(pollInterval(this.policy, attempt, this.#random), deadline - now)',
        replace: 'pollInterval(this.policy, attempt, this.#random)',
      },
    ],
  },
  noFinalRead: {
    bug: 'gives up when the next interval would overshoot the deadline, instead of reading at the deadline',
    edits: [
      {
        find: AT_DEADLINE,
        replace: AT_DEADLINE.replace(
          'now >= deadline',
          'now + pollInterval(this.policy, attempt, this.#random) > deadline',
        ),
      },
    ],
  },
  sleepsFirst: {
    bug: 'sleeps one interval before its first read (a waiter that slept first was a filed SDK bug)',
    edits: [
      {
        find: 'for (let attempt = 0; ; attempt++) {',
        replace: `await this.#clock.sleep(this.policy.pollIntervalMs, signal).catch(() => {});
    for (let attempt = 0; ; attempt++) {`,
      },
    ],
  },
  noGrace: {
    bug: 'no grace period: a run not yet visible at the first read is `not_found` at once',
    edits: [{ find: GRACE, replace: 'now - startedAt >= 0' }],
  },
  graceEndExcluded: {
    bug: 'the grace period check is `>` instead of `>=`: a read exactly at its end does not end the wait',
    edits: [{ find: GRACE, replace: GRACE.replace('>=', '>') }],
  },
  neverSeenTimesOut: {
    bug: 'a run never seen reports `timed_out` at the deadline instead of `not_found`',
    edits: [{ find: AT_DEADLINE, replace: "if (now >= deadline) return settle('timed_out');" }],
  },
  jitterPastCap: {
    bug: 'adds jitter on top of the capped interval, so a sleep may exceed the longest interval',
    edits: [
      {
        find: 'Math.min(pollInterval(this.policy, attempt, this.#random), deadline - now)',
        replace:
          'Math.min(pollInterval(this.policy, attempt, this.#random) + this.#random() * this.policy.pollIntervalMs, deadline - now)',
      },
    ],
  },
  givesUpOnTransient: {
    bug: 'gives up (`timed_out`) at the first transient read failure, long before the deadline',
    edits: [
      {
        find: "this.#telemetry.event({ type: 'gate.read_failed', run: key, error: read.error, polls });",
        replace:
          "this.#telemetry.event({ type: 'gate.read_failed', run: key, error: read.error, polls });\n        return settle('timed_out');",
      },
    ],
  },
  swallowsPermanent: {
    bug: 'takes every read error for transient, so an access-denied read is retried until the deadline',
    edits: [
      {
        find: 'if (error instanceof TransientStoreError) return { error: error.message };\n      throw error;',
        replace: 'return { error: String(error) };',
      },
    ],
  },
} satisfies Record<string, SourceMutant>;

export type GateMutantName = keyof typeof GATE_MUTANTS;
