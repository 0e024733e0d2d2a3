import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a service installing @receipt-gate/core gets: the packed tarball, checked by publint and attw, installed
// into a project of its own (no workspace link) and compiled and run there; and the API reports kept current.
const root = resolve(import.meta.dirname, '../..');
const repo = resolve(root, '../..');
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const attw = join(repo, 'node_modules/.bin/attw');

let work: string;
let tarball: string;

/** pnpm as the test command runs it (on PATH), or the pinned one through npx. */
function pnpm(args: readonly string[], cwd: string): string {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  const [command, prefix] = onPath.status === 0 ? ['pnpm', []] : ['npx', ['--yes', 'pnpm@9.15.9']];
  return execFileSync(command, [...prefix, ...args], { cwd, encoding: 'utf8' });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'core-package-'));
  pnpm(['pack', '--pack-destination', work], root);
  const [name] = readdirSync(work).filter((file) => file.endsWith('.tgz'));
  if (!name) throw new Error('pnpm pack made no tarball');
  tarball = join(work, name);
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the packed @receipt-gate/core', () => {
  it('holds the built entry points, the README and the changelog, and no sources or tests', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/README.md',
        'package/CHANGELOG.md',
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/testing/index.js',
        'package/dist/testing/index.d.ts',
      ]),
    );
    expect(files.filter((file) => /\.test\.|test-support|\/src\//.test(file))).toEqual([]);
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
    );
    expect(manifest.private).toBeUndefined();
    expect(manifest.publishConfig).toEqual({ access: 'public', provenance: true });
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it('passes publint (strict)', async () => {
    const bytes = readFileSync(tarball);
    // The tarball's own root: publint finds the package in it.
    const { messages, pkg } = await publint({
      strict: true,
      pack: {
        tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      },
    });
    expect(messages.map((message) => formatMessage(message, pkg) ?? message.code)).toEqual([]);
  });

  it('passes Are the Types Wrong? for an ESM-only package', { timeout: 60_000 }, () => {
    const run = spawnSync(attw, [tarball, '--profile', 'esm-only', '--format', 'json'], { encoding: 'utf8' });
    const report = JSON.parse(run.stdout);
    // ESM only: CommonJS `require` (node16-cjs) and pre-`exports` resolution (node10) are not offered.
    const problems = Object.values<{ resolutionKind?: string }[]>(report.problems ?? {})
      .flat()
      .filter((problem) => !['node10', 'node16-cjs'].includes(problem.resolutionKind ?? ''));
    expect(problems).toEqual([]);
    expect(run.status).toBe(0);
  });

  it('installs into a project of its own, compiles strictly with node16 and bundler resolution, and runs', {
    timeout: 120_000,
  }, () => {
    const project = join(work, 'consumer');
    cpSync(join(import.meta.dirname, 'consumer'), project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], {
      cwd: project,
      encoding: 'utf8',
    });
    const installed = join(project, 'node_modules/@receipt-gate/core');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version).toMatch(
      /^\d+\.\d+\.\d+/,
    );

    const strict = {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
      target: 'ES2022',
    };
    // The declarations name AbortSignal: a Node.js service has it from @types/node (the repository's, by its
    // absolute path), a bundled one from the DOM library.
    const nodeTypes = resolve(dirname(require.resolve('@types/node/package.json')), '..');
    const configs = {
      'tsconfig.node16.json': {
        ...strict,
        lib: ['ES2022'],
        types: ['node'],
        typeRoots: [nodeTypes],
        module: 'node16',
        moduleResolution: 'node16',
        outDir: 'out',
      },
      'tsconfig.bundler.json': {
        ...strict,
        lib: ['ES2022', 'DOM'],
        types: [],
        module: 'esnext',
        moduleResolution: 'bundler',
        noEmit: true,
      },
    };
    for (const [file, compilerOptions] of Object.entries(configs)) {
      writeFileSync(join(project, file), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
      const compiled = spawnSync(process.execPath, [tsc, '-p', file], { cwd: project, encoding: 'utf8' });
      expect(`${file}: ${compiled.stdout}${compiled.stderr}`).toBe(`${file}: `);
    }
    const output = execFileSync(process.execPath, [join(project, 'out/consumer.js')], { encoding: 'utf8' });
    expect(output).toMatch(
      /^gate: completed after 6000 ms of virtual time, 4 reads\ncontract: \d+ passed\n$/,
    );
  });
});

describe('the API reports (api/*.api.md)', () => {
  for (const config of ['api-extractor.json', 'api-extractor.testing.json']) {
    it(`match the built declarations (${config}); after a change to the public API run \`pnpm api:report\``, {
      timeout: 60_000,
    }, () => {
      const prepared = ExtractorConfig.loadFileAndPrepare(join(root, config));
      const messages: string[] = [];
      const result = Extractor.invoke(prepared, {
        localBuild: false,
        messageCallback: (message) => {
          messages.push(message.text);
          message.handled = true;
        },
      });
      expect(result.apiReportChanged, messages.join('\n')).toBe(false);
      expect(result.errorCount, messages.join('\n')).toBe(0);
    });
  }
});
