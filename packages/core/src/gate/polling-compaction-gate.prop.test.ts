import { describe, it } from 'vitest';
import { assertProperty } from '../fast-check-seeds.test-support.js';
import { PROPERTIES } from './gate-properties.test-support.js';
import type { GateFactory } from './gate-scenarios.test-support.js';
import { PollingCompactionGate } from './polling-compaction-gate.js';

const realGate: GateFactory = (deps, policy) => new PollingCompactionGate(deps, policy);

describe('PollingCompactionGate properties (virtual clock, scheduled interleavings)', () => {
  it('never early: completed only on a read that saw both COMPLETED, failed only on a visible FAILED, timed_out / not_found only at the deadline or after the grace period', async () => {
    await assertProperty(PROPERTIES.neverEarly(realGate));
  });

  it('never late: releases within one interval plus one read of the decision (plus a timeout and an interval per failed read), not_found at the first read past the grace period, settles by deadline + pollTimeoutMs, reads nothing after the deadline', async () => {
    await assertProperty(PROPERTIES.neverLate(realGate));
  });

  it('measures waitedMs by the clock from the first read to settling, whatever the read latencies', async () => {
    await assertProperty(PROPERTIES.waitedFromClock(realGate));
  });

  it('reads at once, never sleeps longer than the longest interval, and (still pending) reads once more at or across the deadline, never after it', async () => {
    await assertProperty(PROPERTIES.readSchedule(realGate));
  });

  it('is quiet after settling (any outcome, a thrown permanent error included): no timer pending, no listener left on the caller signal, no read even after a long advance', async () => {
    await assertProperty(PROPERTIES.quietAfterSettling(realGate));
  });

  it('settles `aborted` at the instant of the abort, whatever it races, with no read after it and no timer left', async () => {
    await assertProperty(PROPERTIES.abortIsPromptAndQuiet(realGate));
  });

  it('counts transient failures and read timeouts as polls and never ends early on them; rejects on a permanent failure', async () => {
    await assertProperty(PROPERTIES.faultsHandled(realGate));
  });
});
