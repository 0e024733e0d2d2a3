import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Metafile } from 'esbuild';
import { BUNDLER_WORKING_DIR, type BundleBudget, ENTRY_FILE } from './function-bundles.js';

/** What a built artifact weighs, measured as its budget is set. */
export type BundleSizes = BundleBudget;

/** The outputs of a function bundle, keyed by absolute path. */
export function outputsOf(metafile: Metafile): Map<string, Metafile['outputs'][string]> {
  return new Map(
    Object.entries(metafile.outputs).map(([path, output]) => [resolve(BUNDLER_WORKING_DIR, path), output]),
  );
}

/** The JavaScript outputs reachable from the entry through static imports only (what init loads). */
export function initOutputs(metafile: Metafile, dir: string): Set<string> {
  const outputs = outputsOf(metafile);
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const dependency of outputs.get(path)?.imports ?? []) {
      if (dependency.kind === 'import-statement' && !dependency.external) {
        visit(resolve(BUNDLER_WORKING_DIR, dependency.path));
      }
    }
  };
  visit(resolve(dir, ENTRY_FILE));
  return loaded;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Measures a built function artifact. */
export async function bundleSizes(bundle: { dir: string; metafile: Metafile }): Promise<BundleSizes> {
  const outputs = outputsOf(bundle.metafile);
  const javascript = [...outputs].filter(([path]) => path.endsWith('.mjs'));
  const init = initOutputs(bundle.metafile, bundle.dir);
  const sizes = await Promise.all(
    (await filesUnder(bundle.dir)).map(async (file) => (await stat(file)).size),
  );
  return {
    initBytes: javascript
      .filter(([path]) => init.has(path))
      .reduce((sum, [, output]) => sum + output.bytes, 0),
    codeBytes: javascript.reduce((sum, [, output]) => sum + output.bytes, 0),
    artifactBytes: sizes.reduce((sum, size) => sum + size, 0),
  };
}
