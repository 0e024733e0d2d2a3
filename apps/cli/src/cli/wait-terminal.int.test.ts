import { spawn as spawnPty } from '@lydell/node-pty';
import type { CompactionState } from '@receipt-gate/core';
import { expect, inject, it } from 'vitest';
import { BIN, putRun, quietTable } from './cli.test-support.js';
import { EXIT } from './exit-codes.js';

/** Resolves once `predicate` holds for the terminal's output so far. */
function outputWhere(read: () => string, predicate: (text: string) => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const giveUpAt = Date.now() + 60_000;
    const check = () => {
      if (predicate(read())) resolve();
      else if (Date.now() > giveUpAt) reject(new Error(`the terminal never showed ${what}:\n${read()}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

it('wait draws a live progress line in a real terminal and exits 0 once the run completes', {
  timeout: 90_000,
}, async () => {
  const endpoint = inject('dynamoEndpoint');
  const table = await quietTable(endpoint);
  const createdAt = new Date().toISOString();
  const run = await putRun(table, { createdAt });
  const setStates = (linesState: CompactionState, wordsState: CompactionState) =>
    putRun(table, { ...run, linesState, wordsState });

  const terminal = spawnPty(
    process.execPath,
    [BIN, 'wait', run.imageId, '1', '--interval', '100ms', '--timeout', '60s'],
    {
      cols: 120,
      rows: 10,
      env: { ...process.env, TABLE_NAME: table.tableName, DYNAMODB_ENDPOINT: endpoint } as Record<
        string,
        string
      >,
    },
  );
  let output = '';
  terminal.onData((data) => {
    output += data;
  });
  const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
  try {
    await outputWhere(
      () => output,
      (text) => text.includes('lines PENDING  words PENDING'),
      'PENDING',
    );
    await setStates('PROCESSING', 'PENDING');
    await outputWhere(
      () => output,
      (text) => text.includes('lines PROCESSING  words PENDING'),
      'PROCESSING',
    );
    await setStates('COMPLETED', 'COMPLETED');
    expect(await exited).toBe(EXIT.ok);
  } finally {
    terminal.kill();
    table.client.destroy();
  }

  // Frames are redrawn in place (carriage return, clear line), with the elapsed time and the reads.
  const frames = output.split('\r\x1b[2K').slice(1, -1);
  expect(frames.length).toBeGreaterThanOrEqual(3);
  for (const frame of frames) {
    expect(frame).toMatch(
      /^. [0-9a-f-]+\/1 run [0-9a-f]{8} {2}lines \S+ {2}words \S+ {2}[\d.]+ (ms|s) {2}\d+ reads?$/,
    );
  }
  expect(output).toContain('\x1b[?25l');
  expect(output).toContain('\x1b[?25h');
  expect(output).toMatch(/completed after [\d.]+ (ms|s), \d+ reads: both collections COMPLETED/);
});
