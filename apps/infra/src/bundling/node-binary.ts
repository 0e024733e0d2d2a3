import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const binaries = new Map<number, Promise<string>>();

/**
 * The path of a Node.js binary of the given major version, fetched once from the npm registry by `npx` (the `node`
 * package), so the bundles run on the versions Lambda runs whatever Node.js the toolchain uses.
 */
export function nodeBinary(major: number): Promise<string> {
  let binary = binaries.get(major);
  if (!binary) {
    binary = run('npx', ['--yes', `node@${major}`, '-p', 'process.execPath'], { encoding: 'utf8' }).then(
      ({ stdout }) => {
        const path = stdout.trim();
        if (!path) throw new Error(`npx node@${major} printed no path`);
        return path;
      },
    );
    binaries.set(major, binary);
  }
  return binary;
}
