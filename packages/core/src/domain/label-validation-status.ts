import { parseOneOf } from './ids.js';

export const LABEL_VALIDATION_STATUSES = ['NONE', 'PENDING', 'VALID', 'INVALID', 'NEEDS_REVIEW'] as const;
export type LabelValidationStatus = (typeof LABEL_VALIDATION_STATUSES)[number];

/** Statuses set by someone else's decision: a label in one of them is never overwritten by our writes. */
export const DECIDED_LABEL_STATUSES: readonly LabelValidationStatus[] = ['VALID', 'INVALID', 'NEEDS_REVIEW'];

export function isDecidedStatus(status: LabelValidationStatus): boolean {
  return DECIDED_LABEL_STATUSES.includes(status);
}

export function parseLabelValidationStatus(field: string, value: unknown): LabelValidationStatus {
  return parseOneOf(field, LABEL_VALIDATION_STATUSES, value);
}
