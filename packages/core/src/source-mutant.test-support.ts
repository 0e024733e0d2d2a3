/**
 * Test-only: mutants of the real production code, for the tests that prove a property catches the bug it pins.
 * A mutant is one source file of `src` with a few exact text edits, written to a temporary module whose relative
 * imports point back at the real files, so the mutant shares every other module (and class identity) with the
 * code under test. Each edit's text must occur exactly once in the file: when the code changes under a mutant,
 * loading it fails loudly instead of quietly testing unmutated code.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { applyEdits, type SourceEdit } from './testing/source-edits.js';

export interface SourceMutant {
  /** The bug the mutant puts in, in a few words. */
  readonly bug: string;
  readonly edits: readonly SourceEdit[];
}

const SRC = import.meta.dirname;
const OUT = join(tmpdir(), 'receipt-gate-mutants');
const RELATIVE_IMPORT = /(\bfrom\s*|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g;

/** Imports the mutant of `file` (a path relative to `src`) and returns its module. */
export async function importMutant<M>(file: string, mutant: SourceMutant): Promise<M> {
  const path = join(SRC, file);
  const mutated = applyEdits(file, readFileSync(path, 'utf8'), mutant.edits).replace(
    RELATIVE_IMPORT,
    (_, lead: string, specifier: string) => `${lead}'${resolve(dirname(path), specifier)}'`,
  );
  const hash = createHash('sha256').update(path).update(mutated).digest('hex').slice(0, 16);
  const out = join(OUT, `${basename(file, '.ts')}.${hash}.ts`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(out, mutated);
  return (await import(/* @vite-ignore */ out)) as M;
}
