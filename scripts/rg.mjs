// `pnpm rg …`: builds the packages the receipt-gate command imports (quietly: turbo's output is shown only when
// the build fails), then runs the command with the given arguments and exits with its code.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const build = spawnSync(
  'turbo',
  ['run', 'build', '--filter=@receipt-gate/cli^...', '--output-logs=errors-only'],
  { cwd: root, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
);
if (build.status !== 0) {
  process.stderr.write(
    `${build.stdout ?? ''}${build.stderr ?? ''}${build.error ? `${build.error.message}\n` : ''}`,
  );
  process.exit(build.status ?? 1);
}
const command = spawn(
  process.execPath,
  [join(root, 'apps/cli/bin/receipt-gate.js'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the command too (same process group): it decides when to stop; this process waits for it.
process.on('SIGINT', () => {});
command.on('exit', (code, signal) =>
  process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)),
);
