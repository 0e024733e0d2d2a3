import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type EmbeddingDeltaStore, type EmbeddingVector, InvalidValueError } from '@receipt-gate/core';
import { readVectorFile, writeVectorFile } from './vector-file.js';

const DELTA_FILE = 'delta.json';

/**
 * EmbeddingDeltaStore on local disk: the delta under prefix `deltas/a/b/` is the file `deltas/a/b/delta.json`
 * inside `directory`, written atomically. A prefix names a folder, so `a/b` and `a/b/` are the same delta. A
 * prefix that would lead outside the directory (`../x/`, `/etc/`) is refused.
 */
export class LocalDiskEmbeddingDeltaStore implements EmbeddingDeltaStore {
  readonly #directory: string;

  constructor(directory: string) {
    this.#directory = resolve(directory);
  }

  async putDelta(prefix: string, vectors: readonly EmbeddingVector[]): Promise<void> {
    await writeVectorFile(this.#fileOf(prefix), vectors);
  }

  async getDelta(prefix: string): Promise<EmbeddingVector[] | undefined> {
    return readVectorFile(this.#fileOf(prefix));
  }

  #fileOf(prefix: string): string {
    const folder = resolve(this.#directory, prefix);
    const inside = relative(this.#directory, folder);
    if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw new InvalidValueError(
        'delta_prefix',
        `must name a folder inside the delta directory ${this.#directory}, got ${JSON.stringify(prefix)}`,
      );
    }
    return join(folder, DELTA_FILE);
  }
}
