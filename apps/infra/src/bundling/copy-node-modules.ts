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
 * peers) from the local `node_modules` into `artifact/node_modules`, as plain files: how a package esbuild cannot
 * bundle (a native one) gets into one function's artifact without Docker and without a registry. Packages are
 * found from `from` (a file or folder of the package that depends on them) as Node would, pnpm's symlinked layout
 * included. Each is placed as high as it can be (hoisted), and nested under the package that needs it when another
 * copy of the same name already holds that place — so Node resolves, from every copied file, the copy that was
 * installed for it.
 */
export async function copyNodeModules(
  packages: readonly string[],
  from: string,
  artifact: string,
): Promise<void> {
  const fromDir = (await isDirectory(from)) ? from : dirname(from);
  /** Where each copied package was put, and from which installed folder. */
  const placed = new Map<string, string>();
  const queue = packages.map((name) => ({
    name,
    sourceFrom: fromDir,
    location: artifact,
    optional: false,
    requiredBy: from,
  }));
  for (let next = queue.shift(); next; next = queue.shift()) {
    const source = await findPackage(next.name, next.sourceFrom);
    if (!source) {
      if (next.optional) continue;
      throw new NodeModulesCopyError(`${next.name} (needed by ${next.requiredBy}) is not installed`);
    }
    const destination = placement(placed, next.name, source, next.location, artifact);
    if (destination === undefined) continue;
    placed.set(destination, source);
    // A package's own nested node_modules is skipped: its dependencies are resolved and placed below.
    const nested = `${source}${sep}node_modules`;
    await cp(source, destination, {
      recursive: true,
      dereference: true,
      filter: (path) => path !== nested && !path.startsWith(`${nested}${sep}`),
    });
    const manifest = JSON.parse(await readFile(join(source, 'package.json'), 'utf8')) as PackageJson;
    const requiredBy = `${next.name}@${manifest.version ?? '?'}`;
    const dependOn = (names: Iterable<string>, optional: (name: string) => boolean) => {
      for (const name of names) {
        queue.push({ name, sourceFrom: source, location: destination, optional: optional(name), requiredBy });
      }
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

/**
 * Where to put `name` (installed at `source`) so that Node, resolving it from `location`, finds that copy: nowhere
 * if it already does; at the top if no copy is on the way; else nested at `location`, nearer than the other copy.
 */
function placement(
  placed: ReadonlyMap<string, string>,
  name: string,
  source: string,
  location: string,
  root: string,
): string | undefined {
  for (let dir = location; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    const there = placed.get(candidate);
    if (there === source) return undefined;
    if (there !== undefined) {
      const nearest = join(location, 'node_modules', name);
      if (placed.has(nearest)) {
        throw new NodeModulesCopyError(
          `${name} is needed in two versions at ${location}: ${there} and ${source}`,
        );
      }
      return nearest;
    }
    if (dir === root || dir === dirname(dir)) return join(root, 'node_modules', name);
  }
}
