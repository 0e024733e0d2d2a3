import { describe, expect, it } from 'vitest';
import { expectCaught } from '../fast-check-seeds.test-support.js';
import { importMutant } from '../source-mutant.test-support.js';
import type { InMemoryLabelRepository } from '../testing/in-memory-label-repository.js';
import { validateReceipt } from './validate-receipt.js';
import {
  LABEL_STORE_MUTANTS,
  VALIDATION_MUTANTS,
  type ValidationMutantName,
} from './validation-mutants.test-support.js';
import { PROPERTIES, type PropertyName } from './validation-properties.test-support.js';
import type { ValidateReceiptFn } from './validation-world.test-support.js';

const SLOW = { timeout: 60_000 };

// Each mutant of validateReceipt must fail the property that pins its bug, with that property's own message.
const CATCHES: readonly [PropertyName, ValidationMutantName, RegExp][] = [
  ['noWriteBeforeTheGateSettles', 'writeBeforeRelease', /ordering:/],
  ['metadataAfterLabels', 'metadataBeforeLabels', /metadata after labels:/],
  ['nothingWrittenUnlessTheOutcomeAllows', 'failedTakenForTimeout', /outcome policy:/],
  ['guardedUnlessTheSeedsChoice', 'unguardedWhenCompleted', /guard:/],
  ['quietAfterSettling', 'deadlineTimerLeft', /quiet: \d+ timers/],
  ['settlesOnTime', 'gateDeafToAbort', /on time:/],
  ['settlesOnTime', 'analysisFailureKeepsGate', /on time: Error: model unreachable/],
  ['settlesOnTime', 'gateFailureKeepsAnalysis', /on time: InjectedPermanentError/],
  ['settlesOnTime', 'deadlineIgnored', /on time: settled at .* after the deadline/],
  [
    'abortEndsOneWay',
    'abortNotRecorded',
    /abort: (the abort at .* is recorded as undefined|aborted with policy fail, yet (threw|resolved))/,
  ],
  ['abortEndsOneWay', 'abortRejects', /abort: aborted with policy (skip|fail), yet threw/],
  ['abortEndsOneWay', 'writesAfterAbort', /abort: metadata written after the abort/],
  [
    'correctionsChecked',
    'unchangedCorrectionWritten',
    /corrections: (a correction became an error|reported merchantName as corrected to the value it had)/,
  ],
  ['correctionsChecked', 'emptyCorrectionWritten', /corrections: (wrote|refused)/],
  ['correctionsChecked', 'anyFieldCorrected', /corrections: (wrote|a correction became an error|refused)/],
];

async function mutant(name: ValidationMutantName): Promise<ValidateReceiptFn> {
  const module = await importMutant<{ validateReceipt: typeof validateReceipt }>(
    'validation/validate-receipt.ts',
    VALIDATION_MUTANTS[name],
  );
  return module.validateReceipt;
}

describe('each validation property catches the mutants of validateReceipt that break it', SLOW, () => {
  it.each(CATCHES)('%s catches %s', async (property, name, message) => {
    await expectCaught(PROPERTIES[property](await mutant(name)), message);
  });

  it('idempotentAndDecidedLabelsKept catches a label store that overwrites decided labels', async () => {
    const { InMemoryLabelRepository: Mutant } = await importMutant<{
      InMemoryLabelRepository: typeof InMemoryLabelRepository;
    }>('testing/in-memory-label-repository.ts', LABEL_STORE_MUTANTS.overwriteDecided);
    await expectCaught(PROPERTIES.idempotentAndDecidedLabelsKept(validateReceipt, Mutant), /decided labels:/);
  });

  it('every mutant is caught by at least one property', () => {
    expect(new Set(CATCHES.map(([, name]) => name))).toEqual(new Set(Object.keys(VALIDATION_MUTANTS)));
  });
});
