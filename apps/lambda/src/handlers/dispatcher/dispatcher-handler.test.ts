import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type EmbeddingSnapshotStore, receiptVectorPrefix, TransientStoreError } from '@receipt-gate/core';
import {
  InMemoryEmbeddingSnapshotStore,
  RecordingTelemetry,
  SAMPLE_RECEIPTS,
} from '@receipt-gate/core/testing';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toWordLabelItem } from '../../adapters/dynamodb/word-label-item.js';
import { configFromEnv } from '../../config/app-config.js';
import { createContainer } from '../../container/create-container.js';
import { TOKENS } from '../../container/tokens.js';
import type { DeadLetter } from './dead-letters.js';

const context = { getRemainingTimeInMillis: () => 60_000 } as Context;
const [firstSample, secondSample] = SAMPLE_RECEIPTS;
if (!firstSample || !secondSample) throw new Error('two samples needed');
const first = firstSample;
const second = secondSample;

function labelRecord(
  sample: { imageId: string; receiptId: number },
  sequenceNumber: string,
  sk?: string,
): DynamoDBRecord {
  const item: Record<string, AttributeValue> = toWordLabelItem({
    imageId: sample.imageId,
    receiptId: sample.receiptId,
    lineId: 1,
    wordId: 1,
    label: 'TAX',
    reasoning: null,
    timestampAdded: '2026-01-01T00:00:00Z',
    validationStatus: 'PENDING',
    labelProposedBy: 'test',
  } as never);
  if (sk) item.SK = { S: sk };
  return {
    eventID: `event-${sequenceNumber}`,
    eventName: 'INSERT',
    dynamodb: {
      Keys: { PK: item.PK, SK: item.SK } as never,
      NewImage: item as never,
      SequenceNumber: sequenceNumber,
    },
  };
}

/** The dispatcher on the in-memory stores, with vectors for both samples and refreshes of `failing` failing. */
async function dispatcher(failing?: string) {
  const telemetry = new RecordingTelemetry();
  const deadLetters: DeadLetter[] = [];
  const store = new InMemoryEmbeddingSnapshotStore();
  for (const sample of [first, second] as const) {
    await store.merge('words', [
      { id: `${receiptVectorPrefix(sample)}LINE#00001#WORD#00001`, values: [1, 0], metadata: {} },
    ]);
  }
  const snapshots: EmbeddingSnapshotStore = {
    merge: (collection, vectors) => store.merge(collection, vectors),
    patch: (collection, patches) => store.patch(collection, patches),
    list: (collection, prefix) => store.list(collection, prefix),
    refresh: async (collection, prefix, fieldsOf) => {
      // Let concurrent invocations interleave.
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failing && prefix.includes(failing)) throw new TransientStoreError('throttled');
      return store.refresh(collection, prefix, fieldsOf);
    },
  };
  const container = createContainer(configFromEnv({ RECEIPT_GATE_STORE: 'memory' }), {
    telemetry,
    snapshots,
    deadLetters: { put: async (letters) => void deadLetters.push(...letters) },
  });
  return { handler: container.get(TOKENS.DispatcherHandler), telemetry, deadLetters };
}

describe('the dispatcher handler', () => {
  it('answers each of two concurrent invocations with its own failures: nothing is shared between them', async () => {
    const { handler } = await dispatcher(first.imageId);
    const [a, b] = await Promise.all([
      handler(
        { Records: [labelRecord(first, '1'), labelRecord(second, '2'), labelRecord(first, '3')] },
        context,
      ),
      handler({ Records: [labelRecord(second, '10'), labelRecord(first, '11')] }, context),
    ]);
    expect(a.batchItemFailures).toEqual([{ itemIdentifier: '1' }, { itemIdentifier: '3' }]);
    expect(b.batchItemFailures).toEqual([{ itemIdentifier: '11' }]);
  });

  it('logs each record not applied once, with its key, event id and reason, and dead-letters a poison record', async () => {
    const { handler, telemetry, deadLetters } = await dispatcher(second.imageId);
    const poison = labelRecord(first, '21', 'RECEIPT#00001#LINE#x#WORD#00001#LABEL#TAX');
    // A poison record after a failure of its own key is not even read: it is retried with that key.
    const later = labelRecord(second, '22', 'RECEIPT#00001#LINE#x#WORD#00001#LABEL#TAX');
    const result = await handler({ Records: [labelRecord(second, '20'), poison, later] }, context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '20' }, { itemIdentifier: '22' }]);
    expect(deadLetters).toMatchObject([
      { eventId: 'event-21', sequenceNumber: '21', keys: poison.dynamodb?.Keys },
    ]);
    expect(telemetry.eventsOf('stream.record_failed')).toEqual([
      {
        type: 'stream.record_failed',
        key: `IMAGE#${first.imageId}|RECEIPT#00001#LINE#x#WORD#00001#LABEL#TAX`,
        eventId: 'event-21',
        sequenceNumber: '21',
        disposition: 'dead_lettered',
        reason: expect.stringContaining('RECEIPT_WORD_LABEL.SK'),
      },
      expect.objectContaining({ eventId: 'event-20', disposition: 'retried', reason: 'throttled' }),
      expect.objectContaining({
        eventId: 'event-22',
        disposition: 'retried',
        reason: expect.stringContaining('an earlier record of its partition key failed'),
      }),
    ]);
    expect(telemetry.metricTotal('StreamRecordsDeadLettered')).toBe(1);
    expect(telemetry.metricTotal('StreamRecordsRetried')).toBe(2);
  });
});
