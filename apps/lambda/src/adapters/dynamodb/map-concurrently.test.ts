import { describe, expect, it } from 'vitest';
import { mapConcurrently } from './map-concurrently.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('mapConcurrently', () => {
  it('keeps the order of the items with at most `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3], 2, async (value) => {
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
      return value * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('starts no call after a failure and throws only once the calls in flight have settled', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = mapConcurrently([1, 2, 3, 4, 5, 6], 3, async (value) => {
      started.push(value);
      await tick();
      settled.push(value);
      if (value === 1) throw new Error('refused');
      return value;
    });
    await expect(run).rejects.toThrow('refused');
    expect(settled.sort()).toEqual(started.sort());
    expect(started).not.toContain(6);
  });
});
