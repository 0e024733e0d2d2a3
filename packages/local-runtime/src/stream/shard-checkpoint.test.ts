import { describe, expect, it } from 'vitest';
import { ShardCheckpoint } from './shard-checkpoint.js';

describe('ShardCheckpoint', () => {
  it('advances only over the done prefix, whatever order records finish in', () => {
    const checkpoint = new ShardCheckpoint();
    const [a, b, c] = ['1', '2', '3'].map((sequence) => checkpoint.add(sequence)) as [number, number, number];
    checkpoint.complete(c);
    checkpoint.complete(b);
    expect(checkpoint.checkpoint).toBeUndefined();
    expect(checkpoint.outstanding).toBe(1);
    checkpoint.complete(a);
    expect(checkpoint.checkpoint).toBe('3');
    expect(checkpoint.outstanding).toBe(0);
  });

  it('keeps counting right after dropping a long done prefix', () => {
    const checkpoint = new ShardCheckpoint();
    const indexes = Array.from({ length: 3000 }, (_, i) => checkpoint.add(String(i + 1)));
    for (const index of indexes.slice(0, 2500)) checkpoint.complete(index);
    expect(checkpoint.checkpoint).toBe('2500');
    const later = checkpoint.add('3001');
    checkpoint.complete(later);
    expect(checkpoint.outstanding).toBe(500);
    for (const index of indexes.slice(2500)) checkpoint.complete(index);
    expect(checkpoint.checkpoint).toBe('3001');
    expect(() => checkpoint.complete(9999)).toThrow(RangeError);
  });
});
