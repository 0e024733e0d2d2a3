import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect, inject, it } from 'vitest';
import { BIN, runInProcess } from '../cli/cli.test-support.js';
import { EXIT } from '../cli/exit-codes.js';

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

it('demo --keep-running --json: prints the summary as JSON, keeps the system up for the other commands until Ctrl-C, then removes it', {
  timeout: 180_000,
}, async () => {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'demo',
      '--keep-running',
      '--json',
      '--receipts',
      '2',
      '--compaction-ms',
      '0',
      '--no-failure',
      '--endpoint',
      inject('dynamoEndpoint'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      // stdout and stderr are separate pipes: the summary may arrive after the line that follows it.
      const check = () => (stderr.includes('Ctrl-C stops') && parses(stdout) ? resolve() : undefined);
      child.stderr.on('data', check);
      child.stdout.on('data', check);
      exited.then(() => reject(new Error(`the demo ended early:\n${stderr}`)));
    });
    const settings = /export (.+)\n/.exec(stderr)?.[1] ?? '';
    const env = Object.fromEntries(settings.split(' ').map((pair) => pair.split('=') as [string, string]));
    expect(Object.keys(env)).toEqual([
      'TABLE_NAME',
      'DYNAMODB_ENDPOINT',
      'DELTAS_BUCKET',
      'S3_ENDPOINT',
      'EMBEDDINGS_URI',
    ]);
    const summary = JSON.parse(stdout);
    expect(summary.violations).toEqual([]);
    expect(summary.receipts).toHaveLength(2);
    const [first] = summary.receipts;
    const status = await runInProcess(['status', first.run.imageId, String(first.run.receiptId), '--json'], {
      env,
    });
    expect(status.code).toBe(EXIT.ok);
    expect(status.json()).toMatchObject({ runs: [{ runId: first.run.runId, linesState: 'COMPLETED' }] });
    const failures = /destination: (\S+on-failure\.jsonl)/.exec(stderr)?.[1] ?? '';
    expect(existsSync(dirname(failures))).toBe(true);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(dirname(failures))).toBe(false);
    expect(existsSync(env.EMBEDDINGS_URI ?? '')).toBe(false);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
