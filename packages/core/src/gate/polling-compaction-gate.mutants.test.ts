import { describe, expect, it } from 'vitest';
import { expectCaught } from '../fast-check-seeds.test-support.js';
import { importMutant } from '../source-mutant.test-support.js';
import { GATE_MUTANTS, type GateMutantName } from './gate-mutants.test-support.js';
import { PROPERTIES, type PropertyName } from './gate-properties.test-support.js';
import type { GateFactory } from './gate-scenarios.test-support.js';
import type { PollingCompactionGate } from './polling-compaction-gate.js';

// Each mutant of the real gate must fail the property that pins its bug, with that property's own message.
const CATCHES: readonly [PropertyName, GateMutantName, RegExp][] = [
  ['neverEarly', 'processingCountsAsDone', /\[never early\] completed/],
  ['neverEarly', 'noGrace', /\[never early\] not_found/],
  ['neverEarly', 'noFinalRead', /\[never early\] (timed_out|not_found) at/],
  ['neverLate', 'completedOnly', /\[never late\] failed at/],
  [
    'neverLate',
    'counterInsteadOfClock',
    /\[never late\] (settled at .* after deadline|a read started|the run was still missing)/,
  ],
  ['neverLate', 'readsPastDeadline', /\[never late\] a read started/],
  ['neverLate', 'graceEndExcluded', /\[never late\] the run was still missing/],
  ['neverLate', 'neverSeenTimesOut', /\[never late\] timed_out at .* for a run never seen/],
  ['waitedFromClock', 'counterInsteadOfClock', /\[waitedMs from the clock\]/],
  ['readSchedule', 'sleepsFirst', /\[first read at once, last at the deadline\] first read/],
  [
    'readSchedule',
    'noFinalRead',
    /\[first read at once, last at the deadline\] (timed_out|not_found) with no read/,
  ],
  ['readSchedule', 'readsPastDeadline', /\[first read at once, last at the deadline\] a read at/],
  [
    'readSchedule',
    'jitterPastCap',
    /\[first read at once, last at the deadline\] [\d.]+ ms between the reads/,
  ],
  ['quietAfterSettling', 'leakyReadTimeout', /\[quiet after settling\] \d+ timer/],
  ['quietAfterSettling', 'abortListenerKept', /\[quiet after settling\] \d+ abort listener/],
  [
    'abortIsPromptAndQuiet',
    'abortDeafSleep',
    /\[abort\] (\d+ read\(s\) after the abort|aborted at .* settled only at)/,
  ],
  ['abortIsPromptAndQuiet', 'leakyReadTimeout', /\[abort\] \d+ timer/],
  ['faultsHandled', 'givesUpOnTransient', /\[read faults\] a (transient|timed_out) read ended the wait/],
  ['faultsHandled', 'swallowsPermanent', /\[read faults\] a permanent read failure/],
];

async function mutantGate(name: GateMutantName): Promise<GateFactory> {
  const { PollingCompactionGate: Mutant } = await importMutant<{
    PollingCompactionGate: typeof PollingCompactionGate;
  }>('gate/polling-compaction-gate.ts', GATE_MUTANTS[name]);
  return (deps, policy) => new Mutant(deps, policy);
}

describe('each gate property catches the mutants of PollingCompactionGate that break it', () => {
  it.each(CATCHES)('%s catches %s', async (property, mutant, message) => {
    await expectCaught(PROPERTIES[property](await mutantGate(mutant)), message);
  });

  it('every mutant is caught by at least one property', () => {
    expect(new Set(CATCHES.map(([, mutant]) => mutant))).toEqual(new Set(Object.keys(GATE_MUTANTS)));
  });
});
