import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;
// Ambient capabilities that would tie the domain to a runtime or to real time: time comes from Clock.
const BANNED = [
  { pattern: /\bprocess\./, why: 'process (runtime global)' },
  { pattern: /\bBuffer\b/, why: 'Buffer (Node global)' },
  { pattern: /\brequire\s*\(/, why: 'require (CommonJS)' },
  { pattern: /\b(?:setTimeout|setInterval|setImmediate)\s*\(/, why: 'real timers (use Clock)' },
  { pattern: /\bDate\.now\s*\(/, why: 'Date.now (use Clock)' },
  { pattern: /\bnew Date\(\s*\)/, why: 'new Date() (use Clock)' },
  { pattern: /\bfetch\s*\(/, why: 'fetch (I/O belongs in adapters)' },
];

/** Every reason `source`, a file at `file` inside src, is not pure core code. */
function impurities(file: string, source: string): string[] {
  const found: string[] = [];
  for (const [, specifier] of source.matchAll(SPECIFIER)) {
    if (!specifier?.startsWith('.')) {
      found.push(`imports "${specifier}" (only relative imports inside packages/core/src are allowed)`);
    } else if (relative(src, resolve(dirname(file), specifier)).startsWith('..')) {
      found.push(`imports "${specifier}", outside packages/core/src`);
    }
  }
  for (const { pattern, why } of BANNED) if (pattern.test(source)) found.push(`uses ${why}`);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /(?<!\.test|\.test-support)\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('core purity', () => {
  it('declares no runtime dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});
  });

  it('imports nothing outside itself and uses no runtime globals in any source file', () => {
    const files = sourceFiles(src);
    expect(files.length).toBeGreaterThan(10);
    const report = files.flatMap((file) =>
      impurities(file, readFileSync(file, 'utf8')).map((why) => `${relative(root, file)}: ${why}`),
    );
    expect(report).toEqual([]);
  });

  it('catches bare packages, node: modules, escapes from src and ambient time', () => {
    const file = join(src, 'gate', 'example.ts');
    expect(impurities(file, "import { x } from '@aws-sdk/client-dynamodb';")).toHaveLength(1);
    expect(impurities(file, "import { readFile } from 'node:fs/promises';")).toHaveLength(1);
    expect(impurities(file, "export * from 'fast-check';")).toHaveLength(1);
    expect(impurities(file, "const m = await import('ollama');")).toHaveLength(1);
    expect(impurities(file, "import '../../../apps/lambda/src/index.js';")).toHaveLength(1);
    expect(impurities(file, 'const t = Date.now();')).toEqual(['uses Date.now (use Clock)']);
    expect(impurities(file, 'setTimeout(() => {}, 1);')).toHaveLength(1);
    expect(impurities(file, "import { pad5 } from '../domain/ids.js';\nnew Date(0);")).toEqual([]);
  });
});
