import {
  type CompactionCollection,
  type CompactionRun,
  type CompactionState,
  parseCompactionRun,
  parseCompactionState,
} from '@receipt-gate/core';
import { fromAttributeValue, type Item, n, optionalS, s } from './attribute-values.js';
import { compactionRunKey, imageIdOf, sortKeyParts } from './keys.js';

export const COMPACTION_RUN_TYPE = 'COMPACTION_RUN';

/** The attributes of one collection's state on a run item. */
export interface CollectionAttributes {
  readonly state: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly error: string;
  readonly mergedVectors: string;
}

export function collectionAttributes(collection: CompactionCollection): CollectionAttributes {
  return {
    state: `${collection}_state`,
    startedAt: `${collection}_started_at`,
    finishedAt: `${collection}_finished_at`,
    error: `${collection}_error`,
    mergedVectors: `${collection}_merged_vectors`,
  };
}

const lines = collectionAttributes('lines');
const words = collectionAttributes('words');

/** What a read of a run needs: its keys and every field (not the GSI attributes nor the copies of the ids). */
export const COMPACTION_RUN_ATTRIBUTES = [
  'PK',
  'SK',
  'lines_delta_prefix',
  'words_delta_prefix',
  ...Object.values(lines),
  ...Object.values(words),
  'created_at',
  'updated_at',
] as const;

const SK_PATTERN = /^RECEIPT#(\d+)#COMPACTION_RUN#(.+)$/;

/** The item of a run as the existing services write it (ids also as attributes, absent values as NULL). */
export function toCompactionRunItem(run: CompactionRun): Item {
  return {
    ...compactionRunKey(run),
    GSI1PK: s('RUNS'),
    GSI1SK: s(`CREATED_AT#${run.createdAt}`),
    TYPE: s(COMPACTION_RUN_TYPE),
    run_id: s(run.runId),
    image_id: s(run.imageId),
    receipt_id: n(run.receiptId),
    lines_delta_prefix: s(run.linesDeltaPrefix),
    words_delta_prefix: s(run.wordsDeltaPrefix),
    [lines.state]: s(run.linesState),
    [words.state]: s(run.wordsState),
    [lines.startedAt]: optionalS(run.linesStartedAt),
    [lines.finishedAt]: optionalS(run.linesFinishedAt),
    [words.startedAt]: optionalS(run.wordsStartedAt),
    [words.finishedAt]: optionalS(run.wordsFinishedAt),
    [lines.error]: optionalS(run.linesError),
    [words.error]: optionalS(run.wordsError),
    [lines.mergedVectors]: n(run.linesMergedVectors),
    [words.mergedVectors]: n(run.wordsMergedVectors),
    created_at: s(run.createdAt),
    updated_at: optionalS(run.updatedAt),
  };
}

/**
 * A run from its item, ids taken from the keys. Missing or NULL states read as PENDING and missing merged
 * counts as 0 (core's parser), so items written by the existing services read as they do there.
 */
export function fromCompactionRunItem(item: Item): CompactionRun {
  const [receiptId, runId] = sortKeyParts(
    COMPACTION_RUN_TYPE,
    item,
    SK_PATTERN,
    'RECEIPT#{receipt_id:05d}#COMPACTION_RUN#{run_id}',
  );
  const field = (name: string) => fromAttributeValue(item[name]);
  return parseCompactionRun({
    imageId: imageIdOf(COMPACTION_RUN_TYPE, item),
    receiptId: Number(receiptId),
    runId,
    linesDeltaPrefix: field('lines_delta_prefix'),
    wordsDeltaPrefix: field('words_delta_prefix'),
    linesState: field(lines.state),
    wordsState: field(words.state),
    linesStartedAt: field(lines.startedAt),
    linesFinishedAt: field(lines.finishedAt),
    wordsStartedAt: field(words.startedAt),
    wordsFinishedAt: field(words.finishedAt),
    linesError: field(lines.error),
    wordsError: field(words.error),
    linesMergedVectors: field(lines.mergedVectors),
    wordsMergedVectors: field(words.mergedVectors),
    createdAt: field('created_at'),
    updatedAt: field('updated_at'),
  });
}

/** One collection's state on a run item (missing or NULL reads as PENDING). */
export function collectionStateOf(item: Item, collection: CompactionCollection): CompactionState {
  const { state } = collectionAttributes(collection);
  return parseCompactionState(state, fromAttributeValue(item[state]));
}
