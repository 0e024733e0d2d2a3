// The augmented module must be loaded for the augmentation to apply; a type-only import loads nothing at run time.

import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { buildFunctionBundles } from '../src/bundling/function-bundles.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The function artifacts built once for the run, with the same configuration as `synth`. */
    functionBundles: Record<'upload' | 'dispatcher' | 'validation', { dir: string; metafile: Metafile }>;
  }
}

/** Builds the three function bundles once for the whole test run (bundle tests, smoke tests and stack tests). */
export default async function setup(project: TestProject) {
  const bundles = await buildFunctionBundles(join(import.meta.dirname, '..', '.bundles', 'test'));
  project.provide(
    'functionBundles',
    Object.fromEntries(
      Object.values(bundles).map(({ name, dir, metafile }) => [name, { dir, metafile }]),
    ) as Record<keyof typeof bundles, { dir: string; metafile: Metafile }>,
  );
}
