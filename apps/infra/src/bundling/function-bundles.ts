import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAMBDA_FUNCTIONS, type LambdaFunctionName } from '@receipt-gate/lambda/deployment';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { copyNodeModules } from './copy-node-modules.js';

/** The Node.js version the bundles are built for: the lowest the functions may run on. */
export const BUNDLE_NODE_MAJOR = 22;

export interface FunctionBundleSpec {
  readonly name: LambdaFunctionName;
  readonly entry: string;
  /** Packages left out of the bundle (native code esbuild cannot bundle), imported at run time. */
  readonly external: readonly string[];
  /**
   * Packages copied, with their dependencies, into the artifact's `node_modules`: the external packages this
   * function loads. A function that never loads one (it sits in a chunk that function never imports) goes without.
   */
  readonly nodeModules: readonly string[];
  /** The most each part of the artifact may weigh, in bytes (checked by the bundle tests, in CI). */
  readonly budget: BundleBudget;
}

export interface BundleBudget {
  /** JavaScript loaded at init (the entry and the chunks it imports statically): what cold starts pay for. */
  readonly initBytes: number;
  /** All JavaScript, the chunks loaded on first use (the LLM analyzer) included. */
  readonly codeBytes: number;
  /** The whole unzipped artifact, source maps and node_modules included (Lambda's limit is 250 MB). */
  readonly artifactBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

// Each function builds the whole container today, so the three weigh about the same: about 620 KiB at init (the
// S3 client for the deltas included), 2.1 MiB of code and 5 MiB with the maps. The budgets leave about 15% of headroom.
const SHARED_BUDGET: BundleBudget = { initBytes: 720 * KiB, codeBytes: 2.5 * MiB, artifactBytes: 6 * MiB };

// LanceDB is native code (about 155 MB with its Arrow peer): every bundle leaves it out, and it is loaded on first
// use of the snapshots, which only the dispatcher (the compactor) makes; so only the dispatcher's artifact carries it.
const LANCEDB = ['@lancedb/lancedb', 'apache-arrow'];

/** The three functions' bundles. */
export const FUNCTION_BUNDLES: Readonly<Record<LambdaFunctionName, FunctionBundleSpec>> = {
  upload: {
    name: 'upload',
    entry: LAMBDA_FUNCTIONS.upload.entry,
    external: LANCEDB,
    nodeModules: [],
    budget: SHARED_BUDGET,
  },
  dispatcher: {
    name: 'dispatcher',
    entry: LAMBDA_FUNCTIONS.dispatcher.entry,
    external: LANCEDB,
    nodeModules: LANCEDB,
    budget: { ...SHARED_BUDGET, artifactBytes: 185 * MiB },
  },
  validation: {
    name: 'validation',
    entry: LAMBDA_FUNCTIONS.validation.entry,
    external: LANCEDB,
    nodeModules: [],
    budget: SHARED_BUDGET,
  },
};

/** The folder esbuild works from: the paths of its metafile are relative to it. */
export const BUNDLER_WORKING_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The file Lambda loads (`index.handler`). */
export const ENTRY_FILE = 'index.mjs';

// ESM output keeps the CommonJS dependencies (parts of the AWS SDK, Powertools) working by giving them `require`.
const REQUIRE_BANNER =
  "import { createRequire as __rgCreateRequire } from 'node:module'; const require = __rgCreateRequire(import.meta.url);";

/**
 * The one esbuild configuration of a function bundle, used by the CDK app, the bundle tests and the cold-start
 * benchmark alike: ESM for Node 22, minified, with source maps (without the sources: they are in the repository),
 * the AWS SDK bundled at the versions we pin, and code splitting, so a module imported dynamically — the LLM
 * analyzer — becomes a chunk loaded on first use instead of at init.
 */
export function esbuildOptions(spec: FunctionBundleSpec, outdir: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: { index: spec.entry },
    outdir,
    absWorkingDir: BUNDLER_WORKING_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: `node${BUNDLE_NODE_MAJOR}`,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    banner: { js: REQUIRE_BANNER },
    external: [...spec.external],
    metafile: true,
    logLevel: 'silent',
  };
}

export interface FunctionBundle {
  readonly name: LambdaFunctionName;
  /** The artifact: what the function's code asset is made of. */
  readonly dir: string;
  readonly metafile: Metafile;
}

/** Builds one function's artifact into `dir` (emptied first): the bundle, its chunks and maps, its node_modules. */
export async function buildFunctionBundle(spec: FunctionBundleSpec, dir: string): Promise<FunctionBundle> {
  await rm(dir, { recursive: true, force: true });
  const { metafile } = await build(esbuildOptions(spec, dir));
  await copyNodeModules(spec.nodeModules, spec.entry, dir);
  return { name: spec.name, dir, metafile };
}

/** Builds every function's artifact into `root/<function name>`. */
export async function buildFunctionBundles(
  root: string,
): Promise<Readonly<Record<LambdaFunctionName, FunctionBundle>>> {
  const bundles = await Promise.all(
    Object.values(FUNCTION_BUNDLES).map((spec) => buildFunctionBundle(spec, join(root, spec.name))),
  );
  return Object.fromEntries(bundles.map((bundle) => [bundle.name, bundle])) as Record<
    LambdaFunctionName,
    FunctionBundle
  >;
}

/** The artifact folder of each function, as the stack takes them. */
export function bundleDirs(
  bundles: Readonly<Record<LambdaFunctionName, FunctionBundle>>,
): Record<LambdaFunctionName, string> {
  return {
    upload: bundles.upload.dir,
    dispatcher: bundles.dispatcher.dir,
    validation: bundles.validation.dir,
  };
}
