import { describe, expect, it } from 'vitest';
import { DISPATCHER_STREAM_SETTINGS, VALIDATION_INVOKE_SETTINGS } from './event-source-settings.js';

describe('the dispatcher stream mapping settings', () => {
  const settings = DISPATCHER_STREAM_SETTINGS;

  it('are within the ranges CreateEventSourceMapping accepts for a DynamoDB stream', () => {
    expect(settings.batchSize).toBeGreaterThanOrEqual(1);
    expect(settings.batchSize).toBeLessThanOrEqual(10_000);
    expect(settings.parallelizationFactor).toBeGreaterThanOrEqual(1);
    expect(settings.parallelizationFactor).toBeLessThanOrEqual(10);
    expect(settings.maximumBatchingWindowInSeconds).toBeGreaterThanOrEqual(0);
    expect(settings.maximumBatchingWindowInSeconds).toBeLessThanOrEqual(300);
    for (const value of Object.values(settings)) if (typeof value === 'number') expect(value % 1).toBe(0);
  });

  it('bound the retries and the record age, so no record can hold its shard forever', () => {
    expect(settings.maximumRetryAttempts).toBeGreaterThanOrEqual(0);
    expect(settings.maximumRetryAttempts).toBeLessThanOrEqual(10_000);
    expect(settings.maximumRecordAgeInSeconds).toBeGreaterThanOrEqual(60);
    expect(settings.maximumRecordAgeInSeconds).toBeLessThanOrEqual(604_800);
  });

  it('let the handler report failed records, which Lambda would otherwise checkpoint as processed', () => {
    expect(settings.reportBatchItemFailures).toBe(true);
    expect(settings.bisectBatchOnFunctionError).toBe(true);
  });
});

describe("the validation's asynchronous invocation settings", () => {
  it('are within the ranges PutFunctionEventInvokeConfig accepts, so a failing validation ends on-failure', () => {
    const settings = VALIDATION_INVOKE_SETTINGS;
    expect(settings.maximumRetryAttempts).toBeGreaterThanOrEqual(0);
    expect(settings.maximumRetryAttempts).toBeLessThanOrEqual(2);
    expect(settings.maximumEventAgeInSeconds).toBeGreaterThanOrEqual(60);
    expect(settings.maximumEventAgeInSeconds).toBeLessThanOrEqual(21_600);
  });
});
