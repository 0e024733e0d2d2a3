import { cp, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, parse, sep } from 'node:path';

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
}

export class NodeModulesCopyError extends Error {
  override readonly name = 'NodeModulesCopyError';
}

const isDirectory = (path: string) =>
  stat(path).then(
    (stats) => stats.isDirectory(),
    () => false,
  );

/** The installed directory of `name` as Node would resolve it from `fromDir` (symlinks followed), if any. */
async function findPackage(name: string, fromDir: string): Promise<string | undefined> {
  const { root } = parse(fromDir);
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (await isDirectory(candidate)) return realpath(candidate);
    if (dir === root) return undefined;
  }
}

/**
 * Copies installed packages and everything they depend on (dependencies, the optional ones that are installed,
 * peers) from the local `node_modules` into `target`, flat, as plain files: how a package esbuild cannot bundle (a
 * native one) gets into one function's artifact without Docker and without a registry. Packages are resolved from
 * `from` (a file or folder of the package that depends on them) as Node would, pnpm's symlinked layout included. Two
 * different installed copies of one package cannot share the flat layout and are refused.
 */
export async function copyNodeModules(
  packages: readonly string[],
  from: string,
  target: string,
): Promise<void> {
  const fromDir = (await isDirectory(from)) ? from : dirname(from);
  const copied = new Map<string, string>();
  const queue = packages.map((name) => ({ name, fromDir, optional: false, requiredBy: from }));
  for (let next = queue.shift(); next; next = queue.shift()) {
    const dir = await findPackage(next.name, next.fromDir);
    if (!dir) {
      if (next.optional) continue;
      throw new NodeModulesCopyError(`${next.name} (needed by ${next.requiredBy}) is not installed`);
    }
    const seen = copied.get(next.name);
    if (seen === dir) continue;
    if (seen) {
      throw new NodeModulesCopyError(
        `two installed copies of ${next.name} are needed (${seen} and ${dir}); the flat node_modules holds one`,
      );
    }
    copied.set(next.name, dir);
    // A package's own nested node_modules is skipped: its dependencies are resolved and copied flat below.
    const nested = `${dir}${sep}node_modules`;
    await cp(dir, join(target, next.name), {
      recursive: true,
      dereference: true,
      filter: (source) => source !== nested && !source.startsWith(`${nested}${sep}`),
    });
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
    const requiredBy = `${next.name}@${manifest.version ?? '?'}`;
    const dependOn = (names: Iterable<string>, optional: (name: string) => boolean) => {
      for (const name of names) queue.push({ name, fromDir: dir, optional: optional(name), requiredBy });
    };
    const optionals = new Set(Object.keys(manifest.optionalDependencies ?? {}));
    dependOn(Object.keys(manifest.dependencies ?? {}), (name) => optionals.has(name));
    dependOn(optionals, () => true);
    dependOn(
      Object.keys(manifest.peerDependencies ?? {}),
      (name) => manifest.peerDependenciesMeta?.[name]?.optional === true,
    );
  }
}
