import { InvalidValueError } from '../errors/invalid-value-error.js';
import { describeValue } from './ids.js';

export const COMPACTION_STATES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type CompactionState = (typeof COMPACTION_STATES)[number];

/** The two snapshots a receipt's deltas are merged into. */
export const COMPACTION_COLLECTIONS = ['lines', 'words'] as const;
export type CompactionCollection = (typeof COMPACTION_COLLECTIONS)[number];

/**
 * Legal transitions of one collection: PENDING -> PROCESSING -> COMPLETED | FAILED, and a retry
 * FAILED -> PROCESSING. COMPLETED is final: nothing late may overwrite it.
 */
export const COMPACTION_TRANSITIONS: Readonly<Record<CompactionState, readonly CompactionState[]>> = {
  PENDING: ['PROCESSING'],
  PROCESSING: ['COMPLETED', 'FAILED'],
  FAILED: ['PROCESSING'],
  COMPLETED: [],
};

/** Parses a stored state; a missing or NULL state reads as PENDING, as in the existing services. */
export function parseCompactionState(field: string, value: unknown): CompactionState {
  if (value === undefined || value === null) return 'PENDING';
  if (typeof value !== 'string' || !(COMPACTION_STATES as readonly string[]).includes(value)) {
    throw new InvalidValueError(
      field,
      `expected one of ${COMPACTION_STATES.join(' | ')}, got ${describeValue(value)}`,
    );
  }
  return value as CompactionState;
}

export function canTransition(from: CompactionState, to: CompactionState): boolean {
  return COMPACTION_TRANSITIONS[from].includes(to);
}

/** The states a collection may be in for a transition to `to` to be legal. */
export function statesBefore(to: CompactionState): CompactionState[] {
  return COMPACTION_STATES.filter((from) => canTransition(from, to));
}
