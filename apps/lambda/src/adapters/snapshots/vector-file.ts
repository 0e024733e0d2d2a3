import { readFile } from 'node:fs/promises';
import type { EmbeddingVector } from '@receipt-gate/core';
import { writeFileAtomically } from './atomic-write-file.js';

/** The vectors stored in `path`, or undefined when there is no such file. */
export async function readVectorFile(path: string): Promise<EmbeddingVector[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every(isVector)) {
    throw new Error(`${path} does not hold a list of embedding vectors ({ id, values, metadata })`);
  }
  return parsed;
}

/** Writes `vectors` to `path` atomically, one vector per line so the file stays readable and diffable. */
export function writeVectorFile(path: string, vectors: readonly EmbeddingVector[]): Promise<void> {
  const lines = vectors.map((vector) => JSON.stringify(vector));
  return writeFileAtomically(path, lines.length === 0 ? '[]\n' : `[\n${lines.join(',\n')}\n]\n`);
}

function isVector(value: unknown): value is EmbeddingVector {
  if (typeof value !== 'object' || value === null) return false;
  const { id, values, metadata } = value as Record<string, unknown>;
  return (
    typeof id === 'string' &&
    Array.isArray(values) &&
    values.every((x) => typeof x === 'number') &&
    typeof metadata === 'object' &&
    metadata !== null &&
    !Array.isArray(metadata) &&
    Object.values(metadata).every((x) => ['string', 'number', 'boolean'].includes(typeof x))
  );
}
