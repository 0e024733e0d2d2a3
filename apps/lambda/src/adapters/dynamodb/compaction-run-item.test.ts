import { InvalidValueError, newCompactionRun, parseCompactionRun } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import type { Item } from './attribute-values.js';
import { collectionStateOf, fromCompactionRunItem, toCompactionRunItem } from './compaction-run-item.js';

const IMAGE = '2f0f6c53-8f5c-4b6a-9d37-0c1f6a2e9b41';
const RUN = '9b2d7a7e-1c3f-4e8a-b5d6-7f8091a2b3c4';

const run = newCompactionRun({
  imageId: IMAGE,
  receiptId: 3,
  runId: RUN,
  linesDeltaPrefix: 'deltas/lines/',
  wordsDeltaPrefix: 'deltas/words/',
  createdAt: '2026-11-29T12:00:00.000Z',
});

/** A run item as the Python services write it: `+00:00` timestamps, NULL for what is not set. */
const pythonItem: Item = {
  PK: { S: `IMAGE#${IMAGE}` },
  SK: { S: `RECEIPT#00003#COMPACTION_RUN#${RUN}` },
  GSI1PK: { S: 'RUNS' },
  GSI1SK: { S: 'CREATED_AT#2026-11-29T12:00:00.123456+00:00' },
  TYPE: { S: 'COMPACTION_RUN' },
  run_id: { S: RUN },
  image_id: { S: IMAGE },
  receipt_id: { N: '3' },
  lines_delta_prefix: { S: 'deltas/lines/' },
  words_delta_prefix: { S: 'deltas/words/' },
  lines_state: { S: 'COMPLETED' },
  words_state: { NULL: true },
  lines_started_at: { S: '2026-11-29T12:00:01+00:00' },
  lines_finished_at: { S: '2026-11-29T12:00:02.5+00:00' },
  words_started_at: { NULL: true },
  words_finished_at: { NULL: true },
  lines_error: { NULL: true },
  words_error: { NULL: true },
  lines_merged_vectors: { N: '12' },
  created_at: { S: '2026-11-29T12:00:00.123456+00:00' },
  updated_at: { NULL: true },
};

describe('compaction run item', () => {
  it('round-trips a run with every field set', () => {
    const full = parseCompactionRun({
      ...run,
      linesState: 'FAILED',
      wordsState: 'COMPLETED',
      linesStartedAt: '2026-11-29T12:00:01.000Z',
      linesFinishedAt: '2026-11-29T12:00:02.000Z',
      wordsStartedAt: '2026-11-29T12:00:01.000Z',
      wordsFinishedAt: '2026-11-29T12:00:03.000Z',
      linesError: 'lost lock',
      wordsMergedVectors: 40,
      updatedAt: '2026-11-29T12:00:03.000Z',
    });
    expect(fromCompactionRunItem(toCompactionRunItem(full))).toEqual(full);
  });

  it('reads what the Python services write: +00:00, NULL state as PENDING, missing count as 0', () => {
    expect(fromCompactionRunItem(pythonItem)).toEqual({
      imageId: IMAGE,
      receiptId: 3,
      runId: RUN,
      linesDeltaPrefix: 'deltas/lines/',
      wordsDeltaPrefix: 'deltas/words/',
      linesState: 'COMPLETED',
      wordsState: 'PENDING',
      linesStartedAt: '2026-11-29T12:00:01+00:00',
      linesFinishedAt: '2026-11-29T12:00:02.5+00:00',
      linesMergedVectors: 12,
      wordsMergedVectors: 0,
      createdAt: '2026-11-29T12:00:00.123456+00:00',
    });
    const { lines_state: _, ...withoutState } = pythonItem;
    expect(collectionStateOf(withoutState, 'lines')).toBe('PENDING');
  });

  it.each([
    ['lines_state', { lines_state: { S: 'DONE' } }],
    ['created_at', { created_at: { S: '29/11/2026' } }],
    ['words_merged_vectors', { words_merged_vectors: { N: '-1' } }],
    ['lines_delta_prefix', { lines_delta_prefix: { NULL: true } }],
    ['COMPACTION_RUN.SK', { SK: { S: `RECEIPT#00003#RUN#${RUN}` } }],
    ['image_id', { PK: { S: 'IMAGE#not-a-uuid' } }],
  ])('refuses a bad item naming %s', (field, patch) => {
    const read = () => fromCompactionRunItem({ ...pythonItem, ...patch });
    expect(read).toThrow(InvalidValueError);
    expect(read).toThrow(expect.objectContaining({ field }));
  });
});
