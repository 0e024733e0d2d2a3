import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationQueue } from './validation-queue.js';

describe('ValidationQueue', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'validation-queue-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a successor the events accepted and not done, each acceptance once', async () => {
    const first = new ValidationQueue(dir);
    await first.accept({ run: 'a' });
    await first.accept({ run: 'b' });
    await first.accept({ run: 'b' });
    await first.done({ run: 'b' });
    const successor = new ValidationQueue(dir);
    const left = await successor.left();
    expect(left).toHaveLength(2);
    expect(left).toEqual(expect.arrayContaining([{ run: 'a' }, { run: 'b' }]));
  });

  it('forgets an event its successor ran', async () => {
    await new ValidationQueue(dir).accept({ run: 'a' });
    const successor = new ValidationQueue(dir);
    const [left] = await successor.left();
    await successor.done(left);
    expect(await readdir(dir)).toEqual([]);
    expect(await new ValidationQueue(dir).left()).toEqual([]);
  });

  it('has nothing left when its directory does not exist yet', async () => {
    expect(await new ValidationQueue(join(dir, 'missing')).left()).toEqual([]);
  });
});
