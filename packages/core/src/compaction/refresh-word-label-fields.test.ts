import { describe, expect, it } from 'vitest';
import type { LabelValidationStatus } from '../domain/label-validation-status.js';
import type { WordLabelName } from '../domain/label-vocabulary.js';
import { sampleLabel } from '../testing/contracts/contract-fixtures.js';
import { compactRun } from './compact-run.js';
import { compactionWorld, RECEIPT } from './compaction-world.test-support.js';
import { commaWrapped, labelVectorFields } from './label-vector-fields.js';
import { ReceiptNotMergedError } from './receipt-not-merged-error.js';
import { refreshWordLabelFields } from './refresh-word-label-fields.js';
import { wordVectorId } from './vector-ids.js';

const word = { ...RECEIPT, lineId: 1, wordId: 2 };
const label = (name: WordLabelName, validationStatus: LabelValidationStatus, wordId = 2) =>
  sampleLabel(RECEIPT, 1, wordId, name, { validationStatus });

describe('labelVectorFields', () => {
  it.each([
    [[], 'unvalidated'],
    [[label('TAX', 'NONE'), label('TIP', 'NEEDS_REVIEW'), label('DATE', 'INVALID')], 'unvalidated'],
    [[label('TAX', 'PENDING'), label('DATE', 'INVALID')], 'auto_suggested'],
    [[label('TAX', 'PENDING'), label('GRAND_TOTAL', 'VALID')], 'validated'],
  ] as const)('derives the status from the statuses present (%#)', (labels, status) => {
    expect(labelVectorFields(labels).label_status).toBe(status);
  });

  it('lists VALID and INVALID labels comma-wrapped, in vocabulary order, with "," for none', () => {
    const labels = [
      label('GRAND_TOTAL', 'VALID'),
      label('TAX', 'VALID'),
      label('DATE', 'INVALID'),
      label('TIP', 'PENDING'),
    ];
    expect(labelVectorFields(labels)).toEqual({
      label_status: 'validated',
      validated_labels: ',TAX,GRAND_TOTAL,',
      invalid_labels: ',DATE,',
    });
    expect(commaWrapped([])).toBe(',');
    expect(commaWrapped(['TAX', 'SUBTOTAL', 'TAX'])).toBe(',SUBTOTAL,TAX,');
  });
});

describe('refreshWordLabelFields', () => {
  it('refuses a refresh before the receipt is merged, patching nothing', async () => {
    const { snapshots } = compactionWorld();
    const refused = refreshWordLabelFields({ snapshots }, word, [label('TAX', 'VALID')]);
    await expect(refused).rejects.toBeInstanceOf(ReceiptNotMergedError);
    await expect(refused).rejects.toMatchObject({
      name: 'ReceiptNotMergedError',
      receipt: { imageId: word.imageId, receiptId: word.receiptId },
      collections: ['words'],
    });
    expect(snapshots.peek('words')).toEqual([]);
  });

  it('sets the fields of that word only, from its labels among those of the receipt', async () => {
    const world = compactionWorld();
    await compactRun(world, await world.upload());
    const { snapshots } = world;
    const before = snapshots.peek('words');
    const labels = [label('TAX', 'VALID'), label('SUBTOTAL', 'INVALID'), label('DATE', 'VALID', 1)];
    expect(await refreshWordLabelFields({ snapshots }, word, labels)).toEqual({
      label_status: 'validated',
      validated_labels: ',TAX,',
      invalid_labels: ',SUBTOTAL,',
    });
    const after = snapshots.peek('words');
    const id = wordVectorId(word);
    expect(after.find((v) => v.id === id)?.metadata).toMatchObject({
      validated_labels: ',TAX,',
      text: 'w1.2',
    });
    expect(after.filter((v) => v.id !== id)).toEqual(before.filter((v) => v.id !== id));
    expect(snapshots.peek('lines').every((v) => !('label_status' in v.metadata))).toBe(true);
  });

  it('gives the same fields whatever order the labels come in, and resets them when none is left', async () => {
    const world = compactionWorld();
    await compactRun(world, await world.upload());
    const { snapshots } = world;
    const labels = [label('TAX', 'VALID'), label('GRAND_TOTAL', 'VALID'), label('TIP', 'PENDING')];
    const forward = await refreshWordLabelFields({ snapshots }, word, labels);
    expect(await refreshWordLabelFields({ snapshots }, word, [...labels].reverse())).toEqual(forward);
    await refreshWordLabelFields({ snapshots }, word, []);
    expect(snapshots.peek('words')[1]?.metadata).toMatchObject({
      label_status: 'unvalidated',
      validated_labels: ',',
      invalid_labels: ',',
    });
  });
});
