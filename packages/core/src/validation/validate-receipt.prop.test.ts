import { describe, it } from 'vitest';
import { assertProperty } from '../fast-check-seeds.test-support.js';
import { validateReceipt } from './validate-receipt.js';
import { PROPERTIES } from './validation-properties.test-support.js';

// 200 runs take about a second; the margin is for a loaded 2-core machine.
const SLOW = { timeout: 60_000 };

describe('validateReceipt invariants (property tests over a virtual clock and a scheduler)', SLOW, () => {
  it('writes nothing, labels or metadata, attempted or applied, before the gate has settled', async () => {
    await assertProperty(PROPERTIES.noWriteBeforeTheGateSettles(validateReceipt));
  });

  it('corrects the metadata only after the label write', async () => {
    await assertProperty(PROPERTIES.metadataAfterLabels(validateReceipt));
  });

  it('writes nothing on failed (default), aborted or skip, and throws GateOutcomeError on fail', async () => {
    await assertProperty(PROPERTIES.nothingWrittenUnlessTheOutcomeAllows(validateReceipt));
  });

  it('guards the labels of a completed gate, and writes unguarded only on the seed choice, each reported', async () => {
    await assertProperty(PROPERTIES.guardedUnlessTheSeedsChoice(validateReceipt));
  });

  it('leaves the same items when run twice and never changes a decided label', async () => {
    await assertProperty(PROPERTIES.idempotentAndDecidedLabelsKept(validateReceipt));
  });

  it('leaves no timer and makes no read or write once it has settled', async () => {
    await assertProperty(PROPERTIES.quietAfterSettling(validateReceipt));
  });

  it('settles at the instant of an abort or a failure, and by the deadline plus the read timeout, whatever the analyzer does', async () => {
    await assertProperty(PROPERTIES.settlesOnTime(validateReceipt));
  });

  it('ends a caller abort one way at any point: a report recording it (or ValidationAbortedError), no write after it', async () => {
    await assertProperty(PROPERTIES.abortEndsOneWay(validateReceipt));
  });

  it('writes only valid, changed metadata corrections and reports the refused ones, never as an error', async () => {
    await assertProperty(PROPERTIES.correctionsChecked(validateReceipt));
  });
});
