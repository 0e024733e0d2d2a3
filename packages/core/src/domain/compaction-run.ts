import { InvalidValueError } from '../errors/invalid-value-error.js';
import { type CompactionCollection, type CompactionState, parseCompactionState } from './compaction-state.js';
import { parseKeyNumber, parseNonEmptyString, parseOptionalString, parseUuid } from './ids.js';
import { withoutUndefined } from './optional.js';
import { parseOptionalTimestamp, parseTimestamp } from './timestamps.js';

export interface CompactionRunKey {
  readonly imageId: string;
  readonly receiptId: number;
  readonly runId: string;
}

/** One compaction of one receipt's embedding deltas into the lines and words snapshots. */
export interface CompactionRun extends CompactionRunKey {
  readonly linesDeltaPrefix: string;
  readonly wordsDeltaPrefix: string;
  readonly linesState: CompactionState;
  readonly wordsState: CompactionState;
  readonly linesStartedAt?: string;
  readonly linesFinishedAt?: string;
  readonly wordsStartedAt?: string;
  readonly wordsFinishedAt?: string;
  readonly linesError?: string;
  readonly wordsError?: string;
  readonly linesMergedVectors: number;
  readonly wordsMergedVectors: number;
  readonly createdAt: string;
  readonly updatedAt?: string;
}

export function parseCompactionRunKey(input: {
  imageId: unknown;
  receiptId: unknown;
  runId: unknown;
}): CompactionRunKey {
  return {
    imageId: parseUuid('image_id', input.imageId),
    receiptId: parseKeyNumber('receipt_id', input.receiptId, 1),
    runId: parseUuid('run_id', input.runId),
  };
}

/** Validates every field of a run (as read from the table or built by a caller). */
export function parseCompactionRun(input: { [K in keyof CompactionRun]?: unknown }): CompactionRun {
  const key = parseCompactionRunKey(input as { imageId: unknown; receiptId: unknown; runId: unknown });
  const merged = (field: string, value: unknown): number => {
    if (value === undefined || value === null) return 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new InvalidValueError(field, `expected a non-negative integer, got ${String(value)}`);
    }
    return value;
  };
  return withoutUndefined({
    ...key,
    linesDeltaPrefix: parseNonEmptyString('lines_delta_prefix', input.linesDeltaPrefix),
    wordsDeltaPrefix: parseNonEmptyString('words_delta_prefix', input.wordsDeltaPrefix),
    linesState: parseCompactionState('lines_state', input.linesState),
    wordsState: parseCompactionState('words_state', input.wordsState),
    linesStartedAt: parseOptionalTimestamp('lines_started_at', input.linesStartedAt),
    linesFinishedAt: parseOptionalTimestamp('lines_finished_at', input.linesFinishedAt),
    wordsStartedAt: parseOptionalTimestamp('words_started_at', input.wordsStartedAt),
    wordsFinishedAt: parseOptionalTimestamp('words_finished_at', input.wordsFinishedAt),
    linesError: parseOptionalString('lines_error', input.linesError),
    wordsError: parseOptionalString('words_error', input.wordsError),
    linesMergedVectors: merged('lines_merged_vectors', input.linesMergedVectors),
    wordsMergedVectors: merged('words_merged_vectors', input.wordsMergedVectors),
    createdAt: parseTimestamp('created_at', input.createdAt),
    updatedAt: parseOptionalTimestamp('updated_at', input.updatedAt),
  });
}

/** A new run as the upload writes it: both collections PENDING. */
export function newCompactionRun(input: {
  imageId: unknown;
  receiptId: unknown;
  runId: unknown;
  linesDeltaPrefix: unknown;
  wordsDeltaPrefix: unknown;
  createdAt: unknown;
}): CompactionRun {
  return parseCompactionRun({ ...input, linesState: 'PENDING', wordsState: 'PENDING' });
}

export function stateOf(run: CompactionRun, collection: CompactionCollection): CompactionState {
  return collection === 'lines' ? run.linesState : run.wordsState;
}

export function isCompactionCompleted(run: CompactionRun): boolean {
  return run.linesState === 'COMPLETED' && run.wordsState === 'COMPLETED';
}

/** The failure text of a run with a FAILED collection, or undefined when neither failed. */
export function compactionFailure(run: CompactionRun): string | undefined {
  const failures: string[] = [];
  if (run.linesState === 'FAILED') failures.push(`lines: ${run.linesError ?? 'no error text'}`);
  if (run.wordsState === 'FAILED') failures.push(`words: ${run.wordsError ?? 'no error text'}`);
  return failures.length > 0 ? failures.join('; ') : undefined;
}

export function formatRunKey(key: CompactionRunKey): string {
  return `${key.imageId}/${key.receiptId}/${key.runId}`;
}
