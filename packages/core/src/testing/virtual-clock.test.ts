import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { VirtualClock, VirtualClockStalledError } from './virtual-clock.js';

describe('VirtualClock', () => {
  it('moves only when advanced, firing sleeps in time order', async () => {
    const clock = new VirtualClock(1_000);
    const woke: number[] = [];
    void clock.sleep(300).then(() => woke.push(clock.now()));
    void clock.sleep(100).then(() => woke.push(clock.now()));
    expect(clock.pendingTimers()).toBe(2);
    await clock.advance(200);
    expect(woke).toEqual([1_100]);
    expect(clock.now()).toBe(1_200);
    await clock.advance(200);
    expect(woke).toEqual([1_100, 1_300]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('fires timers set by woken work within the same advance', async () => {
    const clock = new VirtualClock(0);
    const woke: number[] = [];
    void clock
      .sleep(100)
      .then(() => clock.sleep(100))
      .then(() => woke.push(clock.now()));
    await clock.advance(250);
    expect(woke).toEqual([200]);
  });

  it('rejects an aborted sleep with the reason and drops its timer', async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
    await expect(clock.sleep(1_000, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs work to completion by advancing to each next timer', async () => {
    const clock = new VirtualClock(0);
    const work = (async () => {
      await clock.sleep(5_000);
      await clock.sleep(7_000);
      return clock.now();
    })();
    await expect(clock.run(work)).resolves.toBe(12_000);
  });

  it('throws a clear error instead of hanging when the work waits on something the clock cannot advance', async () => {
    const clock = new VirtualClock(0);
    const never = new Promise<void>(() => {});
    await expect(clock.run(never)).rejects.toThrow(VirtualClockStalledError);
    await expect(clock.run(never)).rejects.toThrow('no timer is left to fire');
  });

  it('gives up after the virtual time limit', async () => {
    const clock = new VirtualClock(0);
    const endless = (async () => {
      for (;;) await clock.sleep(1_000);
    })();
    await expect(clock.run(endless, { limitMs: 10_000 })).rejects.toThrow('still pending after 10000 ms');
  });

  it('removes its abort listener from the signal once a sleep has fired', async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await clock.advance(1_000);
    await sleeping;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('does not take a long promise chain between two sleeps for a stall', async () => {
    const clock = new VirtualClock(0);
    const chain = async (turns: number) => {
      for (let turn = 0; turn < turns; turn++) await Promise.resolve();
    };
    const work = (async () => {
      await chain(3_000);
      await clock.sleep(1_000);
      await chain(3_000);
      return clock.now();
    })();
    await expect(clock.run(work)).resolves.toBe(1_000);
  });

  it('reports a stall only after `idleTurns` turns with no timer pending, a bound the caller can raise', async () => {
    const clock = new VirtualClock(0);
    const longChain = async () => {
      for (let turn = 0; turn < 50_000; turn++) await Promise.resolve();
      return 'done';
    };
    await expect(clock.run(longChain(), { idleTurns: 100 })).rejects.toThrow('after 100 idle turns');
    await expect(clock.run(longChain(), { idleTurns: 60_000 })).resolves.toBe('done');
  });

  it('refuses a bound that cannot work', async () => {
    const clock = new VirtualClock(0);
    await expect(clock.run(Promise.resolve(1), { idleTurns: 0 })).rejects.toThrow(RangeError);
    await expect(clock.run(Promise.resolve(1), { limitMs: -1 })).rejects.toThrow(RangeError);
    await expect(clock.advance(Number.NaN)).rejects.toThrow(RangeError);
  });
});
