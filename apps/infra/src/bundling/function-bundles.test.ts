import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LambdaFunctionName } from '@receipt-gate/lambda/deployment';
import { describe, expect, inject, it } from 'vitest';
import { bundleSizes, initOutputs, outputsOf } from './bundle-sizes.js';
import { BUNDLER_WORKING_DIR, ENTRY_FILE, FUNCTION_BUNDLES } from './function-bundles.js';

const bundles = inject('functionBundles');
const names = Object.keys(FUNCTION_BUNDLES) as LambdaFunctionName[];

/** The pinned versions of what ships, from the lambda package's manifest. */
const lambdaDependencies = (
  JSON.parse(readFileSync(join(BUNDLER_WORKING_DIR, '../lambda/package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  }
).dependencies;

/** Inputs (source files) that end up in the given outputs. */
const inputsOf = (name: LambdaFunctionName, outputs: Iterable<string>) => {
  const all = outputsOf(bundles[name].metafile);
  return [...outputs].flatMap((path) => Object.keys(all.get(path)?.inputs ?? {}));
};

const LLM_PACKAGES = /node_modules\/\.pnpm\/(@langchain\+|langsmith@|ollama@)/;

describe.each(names)('the %s bundle', (name) => {
  const bundle = bundles[name];

  it('stays within its size budget', async () => {
    const sizes = await bundleSizes(bundle);
    const { budget } = FUNCTION_BUNDLES[name];
    expect(sizes.initBytes).toBeLessThanOrEqual(budget.initBytes);
    expect(sizes.codeBytes).toBeLessThanOrEqual(budget.codeBytes);
    expect(sizes.artifactBytes).toBeLessThanOrEqual(budget.artifactBytes);
  });

  it('loads the LLM analyzer (LangGraph, LangChain, Ollama, LangSmith) only on first use, from its own chunk', () => {
    const init = initOutputs(bundle.metafile, bundle.dir);
    const atInit = inputsOf(name, init);
    const lazy = [...outputsOf(bundle.metafile).keys()].filter((path) => !init.has(path));
    const onFirstUse = inputsOf(name, lazy);
    expect(atInit.filter((input) => LLM_PACKAGES.test(input))).toEqual([]);
    expect(atInit.some((input) => input.endsWith('src/adapters/llm/llm-runtime.ts'))).toBe(false);
    expect(onFirstUse.some((input) => input.endsWith('src/adapters/llm/llm-runtime.ts'))).toBe(true);
    expect(onFirstUse.some((input) => input.includes('node_modules/.pnpm/@langchain+langgraph@'))).toBe(true);
    // The entry reaches that chunk by a dynamic import only.
    const entry = outputsOf(bundle.metafile).get(resolve(bundle.dir, ENTRY_FILE));
    const llmChunk = lazy.find((path) => /chunks\/llm-runtime-[A-Z0-9]+\.mjs$/.test(path));
    expect(llmChunk).toBeDefined();
    expect(entry?.imports).toContainEqual(
      expect.objectContaining({
        kind: 'dynamic-import',
        path: expect.stringMatching(/llm-runtime-[A-Z0-9]+\.mjs$/),
      }),
    );
  });

  it('bundles the AWS SDK and Powertools at the versions the lambda package pins', () => {
    const inputs = Object.keys(bundle.metafile.inputs);
    for (const dependency of ['@aws-sdk/client-dynamodb', '@aws-lambda-powertools/logger']) {
      const version = lambdaDependencies[dependency];
      expect(version, dependency).toMatch(/^\d+\.\d+\.\d+$/);
      const pnpmName = `${dependency.replace('/', '+')}@${version}`;
      expect(inputs.some((input) => input.includes(`node_modules/.pnpm/${pnpmName}/`))).toBe(true);
    }
  });

  it('leaves out only the packages it is told to, and carries every one it loads at init in its node_modules', () => {
    const spec = FUNCTION_BUNDLES[name];
    const packageOf = (path: string) =>
      path
        .split('/')
        .slice(0, path.startsWith('@') ? 2 : 1)
        .join('/');
    const externals = (outputs: Iterable<string>) => {
      const all = outputsOf(bundle.metafile);
      return [...outputs].flatMap((path) =>
        (all.get(path)?.imports ?? [])
          .filter((dependency) => dependency.external && !dependency.path.startsWith('node:'))
          .map((dependency) => packageOf(dependency.path)),
      );
    };
    for (const external of externals(outputsOf(bundle.metafile).keys()))
      expect(spec.external).toContain(external);
    for (const external of externals(initOutputs(bundle.metafile, bundle.dir))) {
      expect(spec.nodeModules).toContain(external);
    }
    for (const copied of spec.nodeModules)
      expect(existsSync(join(bundle.dir, 'node_modules', copied))).toBe(true);
  });

  it('is an ES module that gives CommonJS dependencies a require, with a source map without the sources', () => {
    const code = readFileSync(join(bundle.dir, ENTRY_FILE), 'utf8');
    expect(code.startsWith('import { createRequire as __rgCreateRequire } from')).toBe(true);
    expect(code.trimEnd().endsWith(`//# sourceMappingURL=${ENTRY_FILE}.map`)).toBe(true);
    const map = JSON.parse(readFileSync(join(bundle.dir, `${ENTRY_FILE}.map`), 'utf8')) as {
      sources: string[];
      sourcesContent?: unknown;
    };
    expect(map.sourcesContent).toBeUndefined();
    // Relative paths into the repository: the same bundle, byte for byte, wherever the checkout is.
    expect(map.sources).toContain(`../../../../lambda/src/entrypoints/${name}.ts`);
    expect(map.sources.every((source) => !source.startsWith('/'))).toBe(true);
  });
});
