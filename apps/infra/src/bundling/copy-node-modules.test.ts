import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LAMBDA_FUNCTIONS } from '@receipt-gate/lambda/deployment';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyNodeModules, NodeModulesCopyError } from './copy-node-modules.js';

const run = promisify(execFile);

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'copy-node-modules-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** Writes an installed package: its manifest and one file. */
async function installed(dir: string, manifest: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest));
  await writeFile(join(dir, 'index.js'), `module.exports = ${JSON.stringify(manifest.name)};`);
}

const names = async (dir: string) => (await readdir(dir, { recursive: true })).sort();

describe('copyNodeModules', () => {
  it('copies a package with its dependencies, installed optional dependencies and peers, following pnpm links', async () => {
    // pnpm's layout: each package in its own store folder, its dependencies linked beside it.
    const store = join(root, 'node_modules', '.pnpm');
    await installed(join(store, 'native@1.0.0/node_modules/native'), {
      name: 'native',
      version: '1.0.0',
      dependencies: { helper: '^2' },
      optionalDependencies: { 'native-linux-x64': '1.0.0', 'native-darwin-arm64': '1.0.0' },
      peerDependencies: { arrow: '*', 'optional-peer': '*' },
      peerDependenciesMeta: { 'optional-peer': { optional: true } },
    });
    await installed(join(store, 'helper@2.0.0/node_modules/helper'), { name: 'helper', version: '2.0.0' });
    await installed(join(store, 'native-linux-x64@1.0.0/node_modules/native-linux-x64'), {
      name: 'native-linux-x64',
      version: '1.0.0',
    });
    await installed(join(store, 'arrow@3.0.0/node_modules/arrow'), { name: 'arrow', version: '3.0.0' });
    const linked = join(store, 'native@1.0.0/node_modules');
    await symlink(join(store, 'helper@2.0.0/node_modules/helper'), join(linked, 'helper'));
    await symlink(
      join(store, 'native-linux-x64@1.0.0/node_modules/native-linux-x64'),
      join(linked, 'native-linux-x64'),
    );
    await symlink(join(store, 'arrow@3.0.0/node_modules/arrow'), join(linked, 'arrow'));
    const app = join(root, 'app');
    await mkdir(join(app, 'node_modules'), { recursive: true });
    await symlink(join(linked, 'native'), join(app, 'node_modules', 'native'));

    const target = join(root, 'artifact', 'node_modules');
    await copyNodeModules(['native'], join(app, 'index.ts'), join(root, 'artifact'));

    expect(await readdir(target)).toEqual(['arrow', 'helper', 'native', 'native-linux-x64']);
    expect(await readFile(join(target, 'helper', 'index.js'), 'utf8')).toContain('helper');
  });

  it('refuses a package that is not installed, naming who needs it', async () => {
    await installed(join(root, 'node_modules', 'native'), {
      name: 'native',
      version: '1.0.0',
      dependencies: { missing: '1.0.0' },
    });
    await expect(copyNodeModules(['native'], root, join(root, 'out'))).rejects.toThrow(
      new NodeModulesCopyError('missing (needed by native@1.0.0) is not installed'),
    );
  });

  it('nests a second copy of a package under the one that needs it, so each resolves its own', async () => {
    const modules = join(root, 'node_modules');
    const requiring = (name: string, dependency: string) =>
      `module.exports = ${JSON.stringify(name)} + '+' + require(${JSON.stringify(dependency)});`;
    await installed(join(modules, 'a'), { name: 'a', version: '1.0.0', dependencies: { c: '1' } });
    await writeFile(join(modules, 'a', 'index.js'), requiring('a', 'c'));
    await installed(join(modules, 'a', 'node_modules', 'c'), { name: 'c', version: '1.0.0' });
    await writeFile(join(modules, 'a', 'node_modules', 'c', 'index.js'), "module.exports = 'c@1';");
    await installed(join(modules, 'b'), { name: 'b', version: '1.0.0', dependencies: { c: '2' } });
    await writeFile(join(modules, 'b', 'index.js'), requiring('b', 'c'));
    await installed(join(modules, 'c'), { name: 'c', version: '2.0.0' });
    await writeFile(join(modules, 'c', 'index.js'), "module.exports = 'c@2';");

    const artifact = join(root, 'artifact');
    await copyNodeModules(['a', 'b'], root, artifact);

    await writeFile(join(artifact, 'probe.cjs'), "console.log(require('a'), require('b'));");
    const { stdout } = await run(process.execPath, [join(artifact, 'probe.cjs')], { cwd: artifact });
    expect(stdout.trim()).toBe('a+c@1 b+c@2');
    expect(await names(join(artifact, 'node_modules'))).toContain(join('b', 'node_modules', 'c'));
  });

  it('copies nothing for no packages', async () => {
    await copyNodeModules([], root, join(root, 'out'));
    expect(await names(root)).toEqual([]);
  });

  it('gives a real installed package everything it needs to load on its own, outside the repository', async () => {
    const artifact = join(root, 'artifact');
    const packages = ['inversify', 'reflect-metadata'];
    await copyNodeModules(packages, LAMBDA_FUNCTIONS.upload.entry, artifact);
    await writeFile(
      join(artifact, 'probe.mjs'),
      "import 'reflect-metadata'; import { Container } from 'inversify';" +
        "const c = new Container(); c.bind('x').toConstantValue(42); console.log(c.get('x'));",
    );
    const { stdout } = await run(process.execPath, [join(artifact, 'probe.mjs')], { cwd: artifact });
    expect(stdout.trim()).toBe('42');
  });
});
