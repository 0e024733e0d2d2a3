import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { batchOutcome } from './batch-outcome.js';

const batch: DynamoDBRecord[] = ['10', '11', '12', '13'].map((SequenceNumber) => ({
  dynamodb: { SequenceNumber },
}));

describe('batchOutcome', () => {
  it.each([undefined, null, {}, { batchItemFailures: [] }, { batchItemFailures: null }, 'ok'])(
    'reads %j as full success',
    (response) => {
      expect(batchOutcome(batch, response)).toStrictEqual({ failedFrom: 4 });
    },
  );

  it('retries from the lowest failed sequence number, whatever the order reported', () => {
    const outcome = batchOutcome(batch, {
      batchItemFailures: [{ itemIdentifier: '13' }, { itemIdentifier: '11' }],
    });
    expect(outcome.failedFrom).toBe(1);
    expect(String(outcome.error)).toContain('13, 11');
  });

  it.each([
    { batchItemFailures: [{ itemIdentifier: '' }] },
    { batchItemFailures: [{ itemIdentifier: null }] },
    { batchItemFailures: [{ itemId: '11' }] },
    { batchItemFailures: [{ itemIdentifier: '99' }] },
    { batchItemFailures: [null] },
    { batchItemFailures: '11' },
  ])('fails the whole batch on a malformed failure list: %j', (response) => {
    expect(batchOutcome(batch, response).failedFrom).toBe(0);
  });
});
