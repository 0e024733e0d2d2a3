import { describe, expect, it } from 'vitest';
import { compactionInterval, mostOverlapping } from './overlap.js';

describe('mostOverlapping', () => {
  it('counts the intervals under way at once, one ending as another starts not overlapping it', () => {
    expect(mostOverlapping([])).toBe(0);
    expect(mostOverlapping([[0, 10]])).toBe(1);
    expect(
      mostOverlapping([
        [0, 10],
        [10, 20],
      ]),
    ).toBe(1);
    expect(
      mostOverlapping([
        [0, 10],
        [5, 15],
        [6, 7],
        [14, 20],
      ]),
    ).toBe(3);
  });
});

describe('compactionInterval', () => {
  it('runs from the first collection started to the last one finished, and is unknown for an unfinished run', () => {
    expect(
      compactionInterval({
        linesStartedAt: '2026-01-01T00:00:01Z',
        wordsStartedAt: '2026-01-01T00:00:00Z',
        linesFinishedAt: '2026-01-01T00:00:03Z',
        wordsFinishedAt: '2026-01-01T00:00:02Z',
      }),
    ).toEqual([Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T00:00:03Z')]);
    expect(compactionInterval({ linesStartedAt: '2026-01-01T00:00:01Z' })).toBeUndefined();
  });
});
