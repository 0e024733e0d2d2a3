import { describe, expect, it } from 'vitest';
import { floorCpuMs, floorReceiptsPerSecond } from './report.js';
import type { ModeResult } from './run-mode.js';

const run = (database: number | undefined) =>
  ({
    receipts: 10,
    itemWrites: 1500,
    ceiling: { floorCpuMsPerItem: { node: 0.1, database } },
  }) as unknown as ModeResult;

describe('the least CPU a receipt needs', () => {
  it('is the per-item floor times the items each receipt writes', () => {
    expect(floorCpuMs(run(1))).toEqual({ node: 15, database: 150 });
  });

  it('bounds the receipts per second the cores can give', () => {
    // 2 cores = 2000 ms of CPU a second, 165 ms a receipt.
    expect(floorReceiptsPerSecond(run(1), 2)).toBeCloseTo(2000 / 165);
  });

  it('is unknown where the database CPU time is', () => {
    expect(floorCpuMs(run(undefined))).toBeUndefined();
    expect(floorReceiptsPerSecond(run(undefined), 2)).toBeUndefined();
  });
});
