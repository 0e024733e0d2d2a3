import { describe, expect, it } from 'vitest';
import { SystemClock } from './system-clock.js';

const activeTimeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('SystemClock', () => {
  it('sleeps at least the given time by the wall clock', async () => {
    const clock = new SystemClock();
    const before = clock.now();
    await clock.sleep(30);
    expect(clock.now() - before).toBeGreaterThanOrEqual(29);
  });

  it('rejects with the abort reason and keeps no timer alive when aborted mid-sleep', async () => {
    const clock = new SystemClock();
    const timersBefore = activeTimeouts();
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(activeTimeouts()).toBe(timersBefore);
  });

  it('rejects without starting a timer when the signal is already aborted', async () => {
    const clock = new SystemClock();
    const timersBefore = activeTimeouts();
    await expect(clock.sleep(60_000, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
    expect(activeTimeouts()).toBe(timersBefore);
  });
});
