/**
 * Mutants of the real production code, for the tests that prove each invariant catches the bug it is about. A
 * mutant is one source file with a few exact text edits (each must occur exactly once, so a mutant whose code has
 * changed fails loudly instead of quietly testing the original), written as a copy whose imports point at the
 * built modules of the rest of the code (the same module instances the pipeline uses), together with copies of
 * the files that lead from it to the composition root, each pointing at the copy below it. The simulation then
 * builds its pipeline with the mutant's `createContainer` (or its label store).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { applyEdits, type InMemoryLabelRepository, type SourceEdit } from '@receipt-gate/core/testing';
import { createContainer } from '@receipt-gate/lambda';
import type { InvariantName } from '../invariants/violation.js';
import type { PipelineCode } from '../pipeline/pipeline.js';
import type { SimulationOptions } from '../run/simulate.js';

export interface PipelineMutant {
  /** The bug, in a few words. */
  readonly bug: string;
  /** The invariant that must catch it, and what its violation says. */
  readonly caughtBy: InvariantName;
  readonly message: RegExp;
  /** The mutated file, relative to the repository. */
  readonly file: string;
  readonly edits: readonly SourceEdit[];
  /**
   * The files from the mutated file's importer up to the composition root (`create-container.ts`), each importing
   * the one before; empty for the label store, which the simulation builds itself.
   */
  readonly via: readonly string[];
  /** The workload that shows the bug (receipts, seed, fault profile). */
  readonly run: Pick<SimulationOptions, 'receipts' | 'seed' | 'profile'>;
}

const REPO = resolve(import.meta.dirname, '../../../..');
const OUT = join(REPO, 'packages/simulation/.mutants');
/** Where each package's sources are built: a copy's imports point at the built modules the pipeline loads. */
const BUILT: readonly { readonly src: string; readonly dist: string; readonly name: string }[] = [
  { src: 'packages/core/src/', dist: 'packages/core/dist/', name: '@receipt-gate/core' },
  { src: 'apps/lambda/src/', dist: 'apps/lambda/dist/', name: '@receipt-gate/lambda' },
];
const RELATIVE_IMPORT = /(\bfrom\s*|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g;
const CORE_IMPORT = /import\s*\{([^}]*)\}\s*from\s*'@receipt-gate\/core';/;

/** The pipeline code with the mutant in: its composition root (or, for the label store, the mutant store). */
export async function mutantCode(mutant: PipelineMutant): Promise<PipelineCode> {
  let previous = writeCopy(mutant.file, applyEdits(mutant.file, read(mutant.file), mutant.edits));
  for (const file of mutant.via) previous = writeCopy(file, read(file), previous);
  const module = (await import(/* @vite-ignore */ previous.path)) as Record<string, unknown>;
  if (mutant.via.length === 0) {
    const labelClass = module.InMemoryLabelRepository as typeof InMemoryLabelRepository | undefined;
    if (!labelClass) throw new Error(`mutant of ${mutant.file}: it exports no InMemoryLabelRepository`);
    return { createContainer, labelClass };
  }
  const mutated = module.createContainer as typeof createContainer | undefined;
  if (!mutated) throw new Error(`mutant of ${mutant.file}: ${mutant.via.at(-1)} exports no createContainer`);
  return { createContainer: mutated };
}

function read(file: string): string {
  return readFileSync(join(REPO, file), 'utf8');
}

/**
 * Writes a copy of `file` (a source file of core or the Lambda app) with its relative imports pointing at the
 * built modules, except one that names the file `below` was copied from, which points at that copy; an import of
 * `@receipt-gate/core` takes the names the copy below exports from that copy instead.
 */
function writeCopy(
  file: string,
  source: string,
  below?: { readonly file: string; readonly path: string; readonly exports: readonly string[] },
): { readonly file: string; readonly path: string; readonly exports: readonly string[] } {
  const built = BUILT.find((pkg) => file.startsWith(pkg.src));
  if (!built)
    throw new Error(`mutant: ${file} is not a source file of ${BUILT.map((pkg) => pkg.name).join(' or ')}`);
  let redirected = false;
  let text = source.replace(RELATIVE_IMPORT, (_, lead: string, specifier: string) => {
    const target = relative(REPO, resolve(dirname(join(REPO, file)), specifier)).replace(/\.js$/, '.ts');
    if (below && target === below.file) {
      redirected = true;
      return `${lead}'${below.path}'`;
    }
    const dist = join(REPO, built.dist, relative(built.src, target)).replace(/\.ts$/, '.js');
    return `${lead}'${dist}'`;
  });
  if (below && !redirected && below.file.startsWith('packages/core/src/') && CORE_IMPORT.test(text)) {
    text = text.replace(CORE_IMPORT, (statement, names: string) => {
      const specifiers = names
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      const moved = specifiers.filter((name) => below.exports.includes(name));
      if (moved.length === 0) return statement;
      redirected = true;
      const kept = specifiers.filter((name) => !moved.includes(name));
      return `import { ${kept.join(', ')} } from '@receipt-gate/core';\nimport { ${moved.join(', ')} } from '${below.path}';`;
    });
  }
  if (below && !redirected) throw new Error(`mutant: ${file} does not import ${below.file}`);
  const hash = createHash('sha256').update(file).update(text).digest('hex').slice(0, 16);
  const path = join(OUT, `${basename(file, '.ts')}.${hash}.ts`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path, text);
  const exports = [...text.matchAll(/export (?:async )?(?:function|class|const) (\w+)/g)].map(
    (m) => m[1] as string,
  );
  return { file, path, exports };
}
