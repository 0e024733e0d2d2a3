import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The asynchronous invocations of the validation that were accepted and are not done yet, kept as files in a
 * directory, as Lambda keeps accepted events in its own queue: the process running the handlers may die (the crash
 * tests kill it), and its successor runs what it left. An event is written before it is accepted and removed once
 * it is handled or given up on.
 */
export class ValidationQueue {
  readonly #dir: string;
  /** The files of the events in flight, by payload (one payload may be accepted more than once). */
  readonly #files = new Map<string, string[]>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Keeps `payload` until `done` is called with it. */
  async accept(payload: unknown): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const file = join(this.#dir, `${randomUUID()}.json`);
    await writeFile(file, JSON.stringify(payload));
    this.#remember(payload, file);
  }

  /** Forgets one acceptance of `payload` (handled, or given up on). */
  async done(payload: unknown): Promise<void> {
    const key = JSON.stringify(payload);
    const files = this.#files.get(key) ?? [];
    const file = files.shift();
    if (files.length === 0) this.#files.delete(key);
    if (file) await rm(file, { force: true });
  }

  /** The events a predecessor left (accepted, never done); they stay kept until `done`. */
  async left(): Promise<unknown[]> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    const payloads: unknown[] = [];
    for (const name of names.filter((entry) => entry.endsWith('.json')).sort()) {
      const file = join(this.#dir, name);
      const payload: unknown = JSON.parse(await readFile(file, 'utf8'));
      this.#remember(payload, file);
      payloads.push(payload);
    }
    return payloads;
  }

  #remember(payload: unknown, file: string): void {
    const key = JSON.stringify(payload);
    this.#files.set(key, [...(this.#files.get(key) ?? []), file]);
  }
}
