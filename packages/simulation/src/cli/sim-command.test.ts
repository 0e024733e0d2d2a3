import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const PACKAGE = join(import.meta.dirname, '../..');

function sim(args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/sim-command.ts', ...args], {
    cwd: PACKAGE,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, lines: run.stdout.trimEnd().split('\n'), stderr: run.stderr };
}

describe('pnpm sim', () => {
  it('shows progress, prints the trace hash, and ends with the summary line; a replay prints the same hash', () => {
    const first = sim(['--receipts', '12', '--seed', '4', '--faults', 'none']);
    expect(first.status).toBe(0);
    expect(first.lines[0]).toBe('simulating 12 receipts, seed 4 (given), faults none');
    expect(first.lines.some((line) => /^ {2}12\/12 receipts checked/.test(line))).toBe(true);
    expect(first.lines.at(-1)).toBe('sim: 12 receipts, seed 4, 0 faults injected, 0 violations');
    expect(first.lines.filter((line) => line.startsWith('sim: '))).toHaveLength(1);
    const hash = first.lines.find((line) => line.startsWith('trace '));
    expect(hash).toMatch(/^trace [0-9a-f]{16} \(\d+ events\)$/);
    const second = sim(['--receipts', '12', '--seed', '4', '--faults', 'none']);
    expect(second.lines.find((line) => line.startsWith('trace '))).toBe(hash);
  });

  it('refuses bad arguments with the usage, exit code 2', () => {
    const bad = sim(['--receipts', 'many']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--receipts must be a whole number');
    expect(bad.stderr).toContain('usage: pnpm sim');
  });
});
