import { describe, expect, it } from 'vitest';
import { formatTrace, replayCommand } from './report.js';

describe('formatTrace', () => {
  it('writes a block of lines repeated back to back once, with its count', () => {
    const lines = [
      { at: 0, receipt: 1, text: 'upload' },
      ...[1, 2, 3].flatMap((n) => [
        { at: n * 500, receipt: 1, text: `deliver compaction 1 records ${n}..${n}` },
        { at: n * 500, receipt: 1, text: `end compaction#${n} threw` },
      ]),
      { at: 2_000, receipt: undefined, text: 'give up' },
    ];
    expect(formatTrace(lines)).toEqual([
      '        0.000s  r1   upload',
      '  ┌ 3 times, until 1.500s:',
      '  │     0.500s  r1   deliver compaction 1 records 1..1',
      '  │     0.500s  r1   end compaction#1 threw',
      '  └',
      '        2.000s       give up',
    ]);
  });
});

describe('replayCommand', () => {
  it('names the receipts and the faults left out', () => {
    expect(
      replayCommand({
        receipts: 1000,
        seed: 7,
        profile: 'heavy',
        only: new Set([12, 3]),
        filter: { disabled: new Set(['crash', 'r3.store-slow.0']) },
        keepTrace: true,
      }),
    ).toBe(
      'pnpm sim --receipts 1000 --seed 7 --faults heavy --only 3,12 --disable crash,r3.store-slow.0 --trace',
    );
  });
});
