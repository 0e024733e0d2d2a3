import { describe, expect, it } from 'vitest';
import { floorCpuMs, floorReceiptsPerSecond, transactionReceiptsPerSecond } from './report.js';
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

describe("the receipts per second DynamoDB Local's transactions allow", () => {
  const flow = (transactionActions: number) =>
    ({
      receipts: 10,
      transactionActions,
      ceiling: { transactional: { actionsPerSecond: 1600, actions: 6000, ms: 3750 } },
    }) as unknown as ModeResult;

  it('is the transaction ceiling over the actions each receipt sends in transactions', () => {
    // 1600 actions/s over 160 actions a receipt.
    expect(transactionReceiptsPerSecond(flow(1600))).toBeCloseTo(10);
  });

  it('is no bound for a flow that sends no transaction', () => {
    expect(transactionReceiptsPerSecond(flow(0))).toBeUndefined();
  });
});
