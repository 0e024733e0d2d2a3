import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temporary directories for one test file: `make()` creates one, `removeAll()` deletes every one made. */
export function temporaryDirectories(prefix: string) {
  const made: string[] = [];
  return {
    make: async () => {
      const directory = await mkdtemp(join(tmpdir(), prefix));
      made.push(directory);
      return directory;
    },
    removeAll: () =>
      Promise.all(made.splice(0).map((directory) => rm(directory, { recursive: true, force: true }))),
  };
}
