import { describe, expect, it } from 'vitest';
import { type AsyncFailureRecord, AsyncInvoker, AsyncInvokerConfigError } from './async-invoker.js';

const base = { name: 'validation', region: 'ddblocal', retryDelaysMs: [5, 10] };

describe('AsyncInvoker', () => {
  it('accepts an event at once and runs it in the background, concurrently with others', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seen: unknown[] = [];
    const invoker = new AsyncInvoker({
      ...base,
      handler: async (event) => {
        seen.push(event);
        await gate;
      },
    });
    invoker.invoke({ n: 1 });
    invoker.invoke({ n: 2 });
    expect(invoker.idle).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
    release();
    await invoker.drain();
    expect(invoker.stats()).toMatchObject({
      events: 2,
      attempts: 2,
      retries: 0,
      failures: 0,
      concurrencyHighWater: 2,
    });
  });

  it('counts from zero again after resetStats, high-water mark included', async () => {
    const invoker = new AsyncInvoker({ ...base, handler: async () => {} });
    invoker.invoke({ n: 1 });
    invoker.invoke({ n: 2 });
    await invoker.drain();
    invoker.resetStats();
    invoker.invoke({ n: 3 });
    await invoker.drain();
    expect(invoker.stats()).toEqual({
      events: 1,
      attempts: 1,
      retries: 0,
      failures: 0,
      concurrencyHighWater: 1,
    });
  });

  it("retries a failing attempt up to the limit, then sends Lambda's on-failure record with the last error", async () => {
    const failures: AsyncFailureRecord[] = [];
    let attempts = 0;
    const invoker = new AsyncInvoker({
      ...base,
      maximumRetryAttempts: 2,
      handler: async () => {
        attempts++;
        throw new TypeError(`attempt ${attempts} failed`);
      },
      onFailure: (record) => {
        failures.push(record);
      },
    });
    invoker.invoke({ run: 'r1' });
    await invoker.drain();
    expect(attempts).toBe(3);
    expect(failures).toEqual([
      {
        version: '1.0',
        timestamp: expect.any(String),
        requestContext: {
          requestId: expect.any(String),
          functionArn: 'arn:aws:lambda:ddblocal:000000000000:function:validation:$LATEST',
          condition: 'RetriesExhausted',
          approximateInvokeCount: 3,
        },
        requestPayload: { run: 'r1' },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: 'TypeError', errorMessage: 'attempt 3 failed' },
      },
    ]);
    expect(invoker.stats()).toMatchObject({ attempts: 3, retries: 2, failures: 1 });
  });

  it('stops retrying an event older than the maximum age', async () => {
    let clock = 0;
    const failures: AsyncFailureRecord[] = [];
    const invoker = new AsyncInvoker({
      ...base,
      maximumEventAgeInSeconds: 60,
      now: () => clock,
      handler: async () => {
        clock += 61_000;
        throw new Error('slow and failing');
      },
      onFailure: (record) => {
        failures.push(record);
      },
    });
    invoker.invoke({});
    await invoker.drain();
    expect(failures.map((record) => record.requestContext)).toMatchObject([
      { condition: 'EventAgeExceeded', approximateInvokeCount: 1 },
    ]);
  });

  it('succeeds on a retry without any on-failure record', async () => {
    let attempts = 0;
    const failures: AsyncFailureRecord[] = [];
    const invoker = new AsyncInvoker({
      ...base,
      handler: async () => {
        if (++attempts === 1) throw new Error('transient');
      },
      onFailure: (record) => {
        failures.push(record);
      },
    });
    invoker.invoke({});
    await invoker.drain();
    expect({ attempts, failures }).toEqual({ attempts: 2, failures: [] });
  });

  it('waits before each retry on the sleep it is given (a virtual clock), with the configured delays', async () => {
    const waits: number[] = [];
    const invoker = new AsyncInvoker({
      ...base,
      retryDelaysMs: [60_000, 120_000],
      sleep: async (ms) => {
        waits.push(ms);
      },
      handler: async () => {
        throw new Error('always failing');
      },
    });
    invoker.invoke({});
    await invoker.drain();
    expect(waits).toEqual([60_000, 120_000]);
  });

  it('refuses settings Lambda refuses', () => {
    const handler = async () => {};
    expect(() => new AsyncInvoker({ ...base, handler, maximumRetryAttempts: 3 })).toThrow(
      AsyncInvokerConfigError,
    );
    expect(() => new AsyncInvoker({ ...base, handler, maximumEventAgeInSeconds: 59 })).toThrow(
      'maximumEventAgeInSeconds must be an integer from 60 to 21600',
    );
  });
});
