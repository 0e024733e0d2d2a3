import { describe, expect, it } from 'vitest';
import { newCompactionRun } from '../domain/compaction-run.js';
import { InMemoryCompactionRunRepository } from './in-memory-compaction-run-repository.js';
import { VirtualClock } from './virtual-clock.js';

const key = {
  imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  receiptId: 1,
  runId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
};

describe('InMemoryCompactionRunRepository', () => {
  it('refuses a read whose signal is already aborted, with its reason, without counting or timing a read', async () => {
    const clock = new VirtualClock();
    const runs = new InMemoryCompactionRunRepository({ clock, readLatencyMs: 100 });
    await runs.createCompactionRun(
      newCompactionRun({
        ...key,
        linesDeltaPrefix: 'l/',
        wordsDeltaPrefix: 'w/',
        createdAt: '2026-01-01T00:00:00.000Z',
      }),
    );
    const reason = new Error('caller gone');
    await expect(runs.getCompactionRun(key, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(runs.reads).toBe(0);
    expect(runs.readTimes).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('takes its read latency on the clock, and an abort during it rejects at once', async () => {
    const clock = new VirtualClock();
    const runs = new InMemoryCompactionRunRepository({ clock, readLatencyMs: () => 300 });
    const controller = new AbortController();
    const reading = runs.getCompactionRun(key, { signal: controller.signal });
    await clock.advance(100);
    controller.abort(new Error('stop'));
    await expect(reading).rejects.toThrow('stop');
    expect(clock.pendingTimers()).toBe(0);
    await expect(clock.run(runs.getCompactionRun(key))).resolves.toBeUndefined();
    expect(clock.now() - (runs.readTimes[1] ?? 0)).toBe(300);
  });
});
