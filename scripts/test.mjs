// The project's test command: lint, typecheck and test every package through turbo, then sum the vitest JSON
// reports into the plain "N passed, N failed" line that CI reads. The summary prints even when a task fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const reports = ['packages', 'apps']
  .filter((dir) => existsSync(join(root, dir)))
  .flatMap((dir) =>
    readdirSync(join(root, dir)).map((name) => join(root, dir, name, '.reports', 'vitest.json')),
  );
for (const report of reports) rmSync(report, { force: true });

const run = spawnSync('turbo', ['run', 'lint', 'typecheck', 'test', '--continue'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});

let passed = 0;
let failed = 0;
let skipped = 0;
for (const report of reports.filter((path) => existsSync(path))) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests + json.numFailedTestSuites;
  skipped += json.numPendingTests + json.numTodoTests;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(run.status ?? 1);
