import { describe, expect, it } from 'vitest';
import { applyChains, chainsOf, type Segment } from './batch-chains.js';

const record = (orderKey: string, group?: string) => ({ orderKey, ...(group !== undefined && { group }) });

describe('chainsOf', () => {
  it('cuts each key into runs of consecutive records of one group; a record without a group stands alone', () => {
    const chains = chainsOf([
      record('a', 'r1'),
      record('b', 'r2'),
      record('a', 'r1'),
      undefined,
      record('a'),
      record('a', 'r1'),
      record('a', 'r3'),
      record('b', 'r2'),
    ]);
    expect(chains).toEqual([
      {
        orderKey: 'a',
        segments: [
          { group: 'r1', indexes: [0, 2] },
          { group: undefined, indexes: [4] },
          { group: 'r1', indexes: [5] },
          { group: 'r3', indexes: [6] },
        ],
      },
      { orderKey: 'b', segments: [{ group: 'r2', indexes: [1, 7] }] },
    ]);
  });
});

describe('chainsOf, records without a group', () => {
  it('keeps each apart, even next to one another', () => {
    expect(chainsOf([record('a'), record('a')])).toEqual([
      {
        orderKey: 'a',
        segments: [
          { group: undefined, indexes: [0] },
          { group: undefined, indexes: [1] },
        ],
      },
    ]);
  });
});

describe('applyChains, failures of several keys', () => {
  it('are listed by index, whichever key failed first', async () => {
    const chains = chainsOf([record('slow', 'r1'), record('fast', 'r2'), record('slow', 'r3')]);
    const failures = await applyChains(
      chains,
      async (segment) => {
        if (segment.indexes.includes(0)) await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error(`segment ${segment.indexes.join(',')}`);
      },
      2,
    );
    expect(failures.map(({ index }) => index)).toEqual([0, 1, 2]);
  });
});

describe('applyChains', () => {
  it('reports a failed segment and every later record of its key, unapplied, and applies the other keys', async () => {
    const chains = chainsOf([
      record('a', 'r1'),
      record('b', 'r2'),
      record('a', 'r3'),
      record('b', 'r2'),
      record('a', 'r1'),
      record('c', 'r4'),
    ]);
    const applied: number[][] = [];
    const failure = new Error('throttled');
    const failures = await applyChains(
      chains,
      async (segment: Segment) => {
        if (segment.group === 'r3') throw failure;
        applied.push([...segment.indexes]);
      },
      2,
    );
    expect(failures).toEqual([
      { index: 2, error: failure, cause: 'failed' },
      { index: 4, error: failure, cause: 'after_failure' },
    ]);
    expect(applied.sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0))).toEqual([[0], [1, 3], [5]]);
  });

  it('applies one key at a time in order, and different keys at once up to the limit', async () => {
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const chains = chainsOf([record('a', '1'), record('b', '1'), record('a', '2'), record('c', '1')]);
    await applyChains(
      chains,
      async (segment) => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(String(segment.indexes[0]));
        running--;
      },
      2,
    );
    expect(most).toBe(2);
    expect(order.indexOf('0')).toBeLessThan(order.indexOf('2'));
    expect(order.sort()).toEqual(['0', '1', '2', '3']);
  });
});
