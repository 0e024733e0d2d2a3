import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';

const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

describe('Lambda entry points', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('build their handler from the environment at init and serve invocations', async () => {
    vi.stubEnv('RECEIPT_GATE_STORE', 'memory');
    vi.stubEnv('RECEIPT_GATE_MODE', 'event');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    const { handler: upload } = await import('./upload.js');
    vi.stubEnv('VALIDATION_FUNCTION_NAME', 'receipt-gate-validation');
    const { handler: dispatcher } = await import('./dispatcher.js');
    const { handler: validation } = await import('./validation.js');
    const sample = SAMPLE_RECEIPTS[0];
    if (!sample) throw new Error('no sample');
    await expect(upload({ ...sample }, context)).resolves.toMatchObject({ mode: 'event' });
    await expect(dispatcher({ Records: [] }, context)).resolves.toEqual({ batchItemFailures: [] });
    await expect(validation({ run: { imageId: 'x' } }, context)).rejects.toThrow('image_id');
  });

  it('refuse to start on a bad configuration, naming the problem', async () => {
    vi.stubEnv('RECEIPT_GATE_MODE', 'sometimes');
    vi.stubEnv('TABLE_NAME', 'receipts');
    await expect(import('./upload.js')).rejects.toThrow('RECEIPT_GATE_MODE must be one of inline | event');
  });

  it('refuse to start on a timer-overflowing GATE_POLL_TIMEOUT_MS', async () => {
    vi.stubEnv('TABLE_NAME', 'receipts');
    vi.stubEnv('GATE_POLL_TIMEOUT_MS', '3000000000');
    await expect(import('./validation.js')).rejects.toThrow(
      'GATE_POLL_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000, got "3000000000"',
    );
  });
});
