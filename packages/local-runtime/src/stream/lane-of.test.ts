import { describe, expect, it } from 'vitest';
import { itemKey, laneOf } from './lane-of.js';

const record = (keys: Record<string, { S: string }>) => ({ dynamodb: { Keys: keys } });

describe('laneOf', () => {
  it('puts every record of an item on the same lane, whatever the order of its key attributes', () => {
    const a = record({ PK: { S: 'IMAGE#1' }, SK: { S: 'RECEIPT#1' } });
    const b = record({ SK: { S: 'RECEIPT#1' }, PK: { S: 'IMAGE#1' } });
    expect(itemKey(a)).toBe(itemKey(b));
    for (let lanes = 1; lanes <= 10; lanes++) expect(laneOf(a, lanes)).toBe(laneOf(b, lanes));
  });

  it('tells items apart by partition and sort key, and spreads many items over every lane', () => {
    expect(itemKey(record({ PK: { S: 'A' }, SK: { S: 'B' } }))).not.toBe(
      itemKey(record({ PK: { S: 'AB' } })),
    );
    const used = new Set(
      Array.from({ length: 500 }, (_, i) => laneOf(record({ PK: { S: `IMAGE#${i}` } }), 10)),
    );
    expect([...used].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('has one lane without parallelization, and a lane in range for records without keys', () => {
    expect(laneOf(record({ PK: { S: 'x' } }), 1)).toBe(0);
    const lane = laneOf({}, 7);
    expect(lane).toBeGreaterThanOrEqual(0);
    expect(lane).toBeLessThan(7);
  });
});
