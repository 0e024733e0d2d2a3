import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseStreamFailureRecord } from '@receipt-gate/local-runtime';
import type { FailureEntry, FailureSource } from './failure-source.js';

interface FileEntry extends FailureEntry {
  readonly line: string;
}

async function readLines(path: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * The local stream pump's on-failure destination: a file of invocation records, one JSON line each
 * (`onFailureFile`). Removing entries rewrites the file without their lines, read again just before, so records
 * the pump appended during the redrive are kept; the new file replaces the old one in one rename.
 */
export class OnFailureFileSource implements FailureSource {
  constructor(readonly path: string) {}

  async list(): Promise<FileEntry[]> {
    const lines = await readLines(this.path);
    return lines.flatMap((line, index) => {
      if (line.trim() === '') return [];
      const id = `${this.path}:${index + 1}`;
      return [{ id, line, record: parseStreamFailureRecord(line, id) }];
    });
  }

  async remove(entries: readonly FailureEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const removing = new Map<string, number>();
    for (const entry of entries as readonly FileEntry[]) {
      removing.set(entry.line, (removing.get(entry.line) ?? 0) + 1);
    }
    const kept = (await readLines(this.path)).filter((line) => {
      const count = removing.get(line) ?? 0;
      if (count === 0) return true;
      removing.set(line, count - 1);
      return false;
    });
    const text = kept.filter((line) => line.trim() !== '').join('\n');
    const temporary = `${this.path}.redrive-${process.pid}`;
    await writeFile(temporary, text === '' ? '' : `${text}\n`);
    await rename(temporary, this.path);
  }

  async release(): Promise<void> {}
}
