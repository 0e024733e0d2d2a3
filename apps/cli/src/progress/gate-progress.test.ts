import type { CompactionState } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import { CapturedOutput } from '../cli/cli.test-support.js';
import { GateProgress } from './gate-progress.js';

const run = {
  imageId: 'c4f8a2d6-1e7b-4c93-a5d2-8b6e0f3c7a21',
  receiptId: 1,
  runId: '0a92112b-5283-4f0a-a6f8-c79dbccc8762',
};
const progress = (lines: CompactionState, words: CompactionState, polls: number) =>
  ({ type: 'gate.progress', run, linesState: lines, wordsState: words, elapsedMs: 0, polls }) as const;

/** A display on `out` whose clock and redraws the test moves by hand. */
function display(out: CapturedOutput) {
  let now = 1_000;
  let redraw: (() => void) | undefined;
  let stopped = false;
  const view = new GateProgress(out, {
    label: 'c4f8a2d6/1',
    now: () => now,
    repeat: (callback) => {
      redraw = callback;
      return () => {
        stopped = true;
      };
    },
  });
  return {
    view,
    advance: (ms: number) => {
      now += ms;
      redraw?.();
    },
    stopped: () => stopped,
  };
}

/** The frames drawn in place: what follows each carriage return and line clear. */
const framesOf = (text: string) => text.split('\r\x1b[2K').slice(1);

describe('GateProgress on a terminal', () => {
  it('redraws one line in place with the states, the time elapsed and the reads, moving between reads', () => {
    const out = new CapturedOutput(true, 100);
    const { view, advance } = display(out);
    view.start();
    view.progress(progress('PENDING', 'PENDING', 1));
    advance(1_500);
    view.progress(progress('PROCESSING', 'PENDING', 2));
    advance(2_500);
    view.progress(progress('COMPLETED', 'COMPLETED', 3));

    expect(out.text.startsWith('\x1b[?25l')).toBe(true);
    expect(out.text).not.toContain('\n');
    const frames = framesOf(out.text);
    expect(frames).toEqual([
      '⠋ c4f8a2d6/1  lines ?  words ?  0 ms  0 reads',
      '⠙ c4f8a2d6/1  lines PENDING  words PENDING  0 ms  1 read',
      '⠹ c4f8a2d6/1  lines PENDING  words PENDING  1.5 s  1 read',
      '⠸ c4f8a2d6/1  lines PROCESSING  words PENDING  1.5 s  2 reads',
      '⠼ c4f8a2d6/1  lines PROCESSING  words PENDING  4.0 s  2 reads',
      '⠴ c4f8a2d6/1  lines COMPLETED  words COMPLETED  4.0 s  3 reads',
    ]);
  });

  it('clears its line, shows the cursor again and stops redrawing when it finishes', () => {
    const out = new CapturedOutput(true);
    const { view, stopped } = display(out);
    view.start();
    view.finish();
    expect(stopped()).toBe(true);
    expect(out.text.endsWith('\r\x1b[2K\x1b[?25h')).toBe(true);
  });

  it('never draws wider than the terminal', () => {
    const out = new CapturedOutput(true, 30);
    const { view } = display(out);
    view.start();
    view.progress(progress('PROCESSING', 'PROCESSING', 12));
    for (const frame of framesOf(out.text)) expect([...frame].length).toBeLessThanOrEqual(29);
    expect(framesOf(out.text).at(-1)?.endsWith('…')).toBe(true);
  });

  it('takes a terminal that reports no width as 80 columns wide', () => {
    const out = new CapturedOutput(true, 0);
    const { view } = display(out);
    view.start();
    view.progress(progress('PROCESSING', 'PROCESSING', 12));
    expect(framesOf(out.text).at(-1)).toBe(
      '⠙ c4f8a2d6/1  lines PROCESSING  words PROCESSING  0 ms  12 reads',
    );
  });
});

describe('GateProgress elsewhere (a pipe, a log)', () => {
  it('writes plain lines: one per change of states and one per failed read, no control characters', () => {
    const out = new CapturedOutput(false);
    const { view, advance } = display(out);
    view.start();
    view.progress(progress('PENDING', 'PENDING', 1));
    advance(2_000);
    view.progress(progress('PENDING', 'PENDING', 2));
    view.readFailed({ type: 'gate.read_failed', run, error: 'ThrottlingException: slow down', polls: 3 });
    advance(2_000);
    view.progress(progress('COMPLETED', 'COMPLETED', 4));
    view.finish();
    expect(out.text).toBe(
      [
        'waiting for c4f8a2d6/1',
        '[0 ms] lines=PENDING words=PENDING (1 read)',
        '[2.0 s] read 3 failed, retrying: ThrottlingException: slow down',
        '[4.0 s] lines=COMPLETED words=COMPLETED (4 reads)',
        '',
      ].join('\n'),
    );
  });
});
