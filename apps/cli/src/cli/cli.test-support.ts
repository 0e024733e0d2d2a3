import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type CompactionRun, newCompactionRun, parseCompactionRun } from '@receipt-gate/core';
import { ensureTable, toCompactionRunItem } from '@receipt-gate/lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '@receipt-gate/local-runtime';
import type { WaitDisplay } from '../commands/wait.js';
import type { CliIo, Output } from './io.js';
import { runCli } from './main.js';
import type { ScriptCommands } from './program.js';

export const BIN = join(import.meta.dirname, '../../bin/receipt-gate.js');

/** A stream that keeps what is written to it, as a terminal (`isTTY`) or not. */
export class CapturedOutput implements Output {
  text = '';
  constructor(
    readonly isTTY = false,
    readonly columns = 120,
  ) {}
  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as JSON (for `--json`). */
  json<T = Record<string, unknown>>(): T;
}

export interface RunOptions {
  readonly env: Record<string, string | undefined>;
  /** What stdin holds (it ends after it). */
  readonly stdin?: string;
  readonly stderr?: CapturedOutput;
  readonly display?: WaitDisplay;
  readonly signal?: AbortSignal;
}

const NO_SCRIPTS: ScriptCommands = {
  demo: async () => 0,
  bench: async () => 0,
  eval: async () => 0,
};

/** Runs a command line in this process, as the `receipt-gate` binary would, capturing what it writes. */
export async function runInProcess(argv: readonly string[], options: RunOptions): Promise<CliRun> {
  const stdout = new CapturedOutput();
  const stderr = options.stderr ?? new CapturedOutput();
  const io: CliIo = {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: options.env,
    signal: options.signal ?? new AbortController().signal,
  };
  const code = await runCli(argv, io, NO_SCRIPTS, options.display);
  return { code, stdout: stdout.text, stderr: stderr.text, json: () => JSON.parse(stdout.text) };
}

/** Runs the `receipt-gate` binary in a child process with exactly `env` (plus PATH). */
export function runBinary(argv: readonly string[], env: Record<string, string | undefined>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout) }),
    );
  });
}

/** A table of its own on the run's DynamoDB Local, without a stream reader: runs stay as they are written. */
export async function quietTable(endpoint: string): Promise<{ client: DynamoDBClient; tableName: string }> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const tableName = `cli-${randomUUID().slice(0, 8)}`;
  await ensureTable(client, tableName);
  return { client, tableName };
}

/** Writes a run item as it is (any states, any creation time). */
export async function putRun(
  target: { client: DynamoDBClient; tableName: string },
  run: Partial<CompactionRun> & Pick<CompactionRun, 'createdAt'>,
): Promise<CompactionRun> {
  const key = { imageId: randomUUID(), receiptId: 1, runId: randomUUID(), ...run };
  const full = parseCompactionRun({
    ...newCompactionRun({
      ...key,
      linesDeltaPrefix: `lines/delta/${key.runId}/`,
      wordsDeltaPrefix: `words/delta/${key.runId}/`,
    }),
    ...run,
  });
  await target.client.send(
    new PutItemCommand({ TableName: target.tableName, Item: toCompactionRunItem(full) }),
  );
  return full;
}
