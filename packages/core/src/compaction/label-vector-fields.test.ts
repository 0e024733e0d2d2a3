import { describe, expect, it } from 'vitest';
import type { LabelValidationStatus } from '../domain/label-validation-status.js';
import type { WordLabelName } from '../domain/label-vocabulary.js';
import { sampleLabel } from '../testing/contracts/contract-fixtures.js';
import { RECEIPT } from './compaction-world.test-support.js';
import { labelVectorFields } from './label-vector-fields.js';

const label = (
  name: WordLabelName,
  validationStatus: LabelValidationStatus,
  wordId = 2,
  overrides: { labelProposedBy?: string; timestampAdded?: string } = {},
) => sampleLabel(RECEIPT, 1, wordId, name, { validationStatus, ...overrides });

describe('labelVectorFields', () => {
  it.each([
    [[], 'unvalidated'],
    [[label('TAX', 'NONE'), label('TIP', 'NEEDS_REVIEW')], 'unvalidated'],
    [[label('TAX', 'NONE'), label('DATE', 'INVALID')], 'invalidated'],
    [[label('TAX', 'PENDING'), label('DATE', 'INVALID')], 'auto_suggested'],
    [[label('TAX', 'PENDING'), label('GRAND_TOTAL', 'VALID'), label('DATE', 'INVALID')], 'validated'],
  ] as const)('derives the status from the statuses present (%#)', (labels, status) => {
    expect(labelVectorFields(labels).label_status).toBe(status);
  });

  it('lists VALID and INVALID label names sorted and distinct, a name VALID too only as valid, [] for none', () => {
    const labels = [
      label('TAX', 'VALID'),
      label('GRAND_TOTAL', 'VALID'),
      label('DATE', 'INVALID'),
      label('DATE', 'INVALID', 2, { timestampAdded: '2026-01-02T00:00:00Z' }),
      label('TAX', 'INVALID'),
      label('TIP', 'PENDING'),
    ];
    expect(labelVectorFields(labels)).toEqual({
      label_status: 'validated',
      label_proposed_by: 'contract-analyzer',
      valid_labels_array: ['GRAND_TOTAL', 'TAX'],
      invalid_labels_array: ['DATE'],
    });
    expect(labelVectorFields([label('TIP', 'NONE')])).toEqual({
      label_status: 'unvalidated',
      label_proposed_by: '',
      valid_labels_array: [],
      invalid_labels_array: [],
    });
  });

  it('takes label_proposed_by from the latest PENDING label by time, whatever the order, and "" without one', () => {
    const early = label('TAX', 'PENDING', 2, {
      labelProposedBy: 'first-pass',
      timestampAdded: '2026-01-01T00:00:00Z',
    });
    // Later in time, yet earlier as a string: the time decides.
    const late = label('TIP', 'PENDING', 2, {
      labelProposedBy: 'label-evaluator-llm',
      timestampAdded: '2026-01-01T00:00:00.500000Z',
    });
    const validLater = label('DATE', 'VALID', 2, {
      labelProposedBy: 'person',
      timestampAdded: '2026-03-01T00:00:00Z',
    });
    expect(labelVectorFields([late, early, validLater]).label_proposed_by).toBe('label-evaluator-llm');
    expect(labelVectorFields([early, late]).label_proposed_by).toBe('label-evaluator-llm');
    const { labelProposedBy: _, ...anonymous } = late;
    expect(labelVectorFields([anonymous, early]).label_proposed_by).toBe('');
    expect(labelVectorFields([validLater]).label_proposed_by).toBe('');
  });

  it('orders by the instant a label was added, not by its name, and breaks a tie by name', () => {
    const older = label('TIP', 'PENDING', 2, {
      labelProposedBy: 'older',
      timestampAdded: '2026-01-01T00:00:00Z',
    });
    // Earlier by name, later in time: the time decides.
    const newer = label('DATE', 'PENDING', 2, {
      labelProposedBy: 'newer',
      timestampAdded: '2026-01-02T00:00:00Z',
    });
    expect(labelVectorFields([older, newer]).label_proposed_by).toBe('newer');
    expect(labelVectorFields([newer, older]).label_proposed_by).toBe('newer');
    const tied = label('TAX', 'PENDING', 2, {
      labelProposedBy: 'tied',
      timestampAdded: '2026-01-02T00:00:00Z',
    });
    expect(labelVectorFields([tied, newer]).label_proposed_by).toBe('tied');
    expect(labelVectorFields([newer, tied]).label_proposed_by).toBe('tied');
  });

  it('sorts the INVALID names given in any order', () => {
    const fields = labelVectorFields([
      label('TIP', 'INVALID'),
      label('DATE', 'INVALID'),
      label('TAX', 'INVALID'),
    ]);
    expect(fields.invalid_labels_array).toEqual(['DATE', 'TAX', 'TIP']);
  });
});
