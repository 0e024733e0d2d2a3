import { platform } from 'node:process';
import { describe, expect, it } from 'vitest';
import { processCpuMs } from './process-cpu.js';

describe('processCpuMs', () => {
  it.runIf(platform === 'linux')('reads a live process CPU time, which grows as it works', () => {
    const before = processCpuMs(process.pid);
    const until = Date.now() + 60;
    while (Date.now() < until) Math.sqrt(Math.random());
    const after = processCpuMs(process.pid);
    expect(before).toBeGreaterThanOrEqual(0);
    expect(after).toBeGreaterThanOrEqual(before ?? Number.POSITIVE_INFINITY);
  });

  it('is undefined for a process that does not exist', () => {
    // Above Linux's largest pid (2^22).
    expect(processCpuMs(5_000_000)).toBeUndefined();
  });
});
