import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CompactionRunKey } from '@receipt-gate/core';
import { COFFEE_SHOP_RECEIPT, GAS_STATION_RECEIPT, RecordingTelemetry } from '@receipt-gate/core/testing';
import { TOKENS, toCompactionRunItem } from '@receipt-gate/lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uploadOf } from '../e2e/e2e.test-support.js';
import { type LocalSystem, startLocalSystem } from '../local-system/local-system.js';
import { putRun, quietTable, runBinary, runInProcess } from './cli.test-support.js';
import { EXIT } from './exit-codes.js';

// One local system for the file: the coffee shop's compaction completes, the gas station's words delta is lost
// (its compaction FAILED), as in the demo.
let system: LocalSystem;
let env: Record<string, string>;
let coffee: CompactionRunKey;
let gas: CompactionRunKey;
let embeddings: string;

beforeAll(async () => {
  embeddings = await mkdtemp(join(tmpdir(), 'cli-embeddings-'));
  system = await startLocalSystem({
    mode: 'inline',
    endpoint: inject('dynamoEndpoint'),
    s3Endpoint: inject('s3Endpoint'),
    tableName: `cli-${randomUUID().slice(0, 8)}`,
    compactionDelayMs: 200,
    gatePolicy: { pollIntervalMs: 100, maxWaitMs: 20_000 },
    telemetry: new RecordingTelemetry(),
    lostDeltas: ({ prefix, imageId }) =>
      imageId === GAS_STATION_RECEIPT.imageId && prefix.startsWith('words/'),
  });
  coffee = (await system.upload(uploadOf(COFFEE_SHOP_RECEIPT))).run;
  gas = (await system.upload(uploadOf(GAS_STATION_RECEIPT))).run;
  await system.settle();
  env = {
    TABLE_NAME: system.tableName,
    DYNAMODB_ENDPOINT: system.endpoint,
    DELTAS_BUCKET: system.deltasBucket,
    S3_ENDPOINT: system.s3Endpoint,
    EMBEDDINGS_URI: system.embeddingsUri,
    GATE_POLL_INTERVAL_MS: '100',
    GATE_NOT_FOUND_GRACE_MS: '0',
  };
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await rm(embeddings, { recursive: true, force: true });
});

const args = (key: CompactionRunKey) => [key.imageId, String(key.receiptId)];

describe('status', () => {
  it("shows a completed receipt's run, its labels by status and its merchant record", async () => {
    const run = await runInProcess(['status', ...args(coffee), '--json'], { env });
    expect(run.code).toBe(EXIT.ok);
    const status = run.json<{
      runs: { runId: string; linesState: string; wordsState: string; linesMs: number }[];
      labels: { total: number; byStatus: Record<string, unknown[]> };
      merchantRecord: { merchantName: string };
    }>();
    expect(status.runs).toEqual([
      expect.objectContaining({ runId: coffee.runId, linesState: 'COMPLETED', wordsState: 'COMPLETED' }),
    ]);
    expect(status.runs[0]?.linesMs).toBeGreaterThanOrEqual(0);
    expect(status.labels.total).toBeGreaterThan(0);
    expect(status.labels.byStatus.PENDING).toHaveLength(status.labels.total);
    expect(status.merchantRecord.merchantName).toBe(COFFEE_SHOP_RECEIPT.metadata.merchantName);
  });

  it("shows the FAILED collection's error in text", async () => {
    const run = await runInProcess(['status', ...args(gas)], { env });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/words\s+FAILED\s+.*error: simulated fault/);
    expect(run.stdout).toContain('labels: none');
  });

  it('exits 5 for a receipt the table knows nothing of', async () => {
    const run = await runInProcess(['status', randomUUID(), '1'], { env });
    expect(run.code).toBe(EXIT.notFound);
  });
});

describe('wait', () => {
  it('exits 0 on a completed run', async () => {
    const run = await runInProcess(['wait', ...args(coffee), '--json'], { env });
    expect(run.json()).toMatchObject({ outcome: 'completed', exitCode: 0, run: coffee, reads: 1 });
    expect(run.code).toBe(EXIT.ok);
  });

  it('exits 3 on a FAILED run, with its error', async () => {
    const run = await runInProcess(['wait', ...args(gas)], { env });
    expect(run.code).toBe(EXIT.failed);
    expect(run.stdout).toMatch(/^failed after .*: words: simulated fault/);
  });

  it('exits 5 when the receipt has no run, or --run names none', async () => {
    expect((await runInProcess(['wait', randomUUID(), '1'], { env })).code).toBe(EXIT.notFound);
    const missing = await runInProcess(['wait', ...args(coffee), '--run', randomUUID(), '--json'], { env });
    expect(missing.json()).toMatchObject({ outcome: 'not_found' });
    expect(missing.code).toBe(EXIT.notFound);
  });

  it('exits 4 when the run does not settle within --timeout', async () => {
    const table = await quietTable(inject('dynamoEndpoint'));
    const pending = await putRun(table, { createdAt: new Date().toISOString() });
    const run = await runInProcess(
      ['wait', ...args(pending), '--table', table.tableName, '--timeout', '300ms', '--interval', '100ms'],
      { env },
    );
    expect(run.code).toBe(EXIT.timedOut);
    expect(run.stdout).toMatch(/^timed_out after .* \(lines PENDING, words PENDING\)/);
    table.client.destroy();
  });
});

describe('runs', () => {
  it('lists runs PENDING or PROCESSING past --older-than through GSI1, newest first, a page at a time', async () => {
    const table = await quietTable(inject('dynamoEndpoint'));
    const hour = 3_600_000;
    const at = (agoMs: number) => new Date(Date.now() - agoMs).toISOString();
    const oldPending = await putRun(table, { createdAt: at(3 * hour) });
    const oldProcessing = await putRun(table, {
      createdAt: at(2 * hour),
      linesState: 'COMPLETED',
      wordsState: 'PROCESSING',
    });
    await putRun(table, { createdAt: at(hour), linesState: 'COMPLETED', wordsState: 'COMPLETED' });
    await putRun(table, { createdAt: at(hour), linesState: 'FAILED', wordsState: 'COMPLETED' });
    const young = await putRun(table, { createdAt: at(60_000) });
    // An item written by another service without state attributes: both collections read as PENDING.
    const legacy = await putRun(table, { createdAt: at(4 * hour) });
    const item = toCompactionRunItem(legacy);
    delete item.lines_state;
    item.words_state = { NULL: true };
    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
    const local = { ...env, TABLE_NAME: table.tableName };

    const stuck = await runInProcess(['runs', '--stuck', '--older-than', '10m', '--json'], { env: local });
    expect(stuck.code).toBe(EXIT.ok);
    expect(stuck.json<{ runs: { runId: string }[] }>().runs.map((run) => run.runId)).toEqual([
      oldProcessing.runId,
      oldPending.runId,
      legacy.runId,
    ]);
    const all = await runInProcess(['runs', '--stuck', '--older-than', '30s', '--json'], { env: local });
    expect(all.json<{ runs: { runId: string }[] }>().runs.map((run) => run.runId)).toEqual([
      young.runId,
      oldProcessing.runId,
      oldPending.runId,
      legacy.runId,
    ]);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const run = await runInProcess(
        ['runs', '--limit', '2', '--json', ...(cursor ? ['--cursor', cursor] : [])],
        { env: local },
      );
      const body = run.json<{ runs: { runId: string }[]; cursor?: string }>();
      seen.push(...body.runs.map((r) => r.runId));
      cursor = body.cursor;
      if (!cursor) break;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
    expect(seen[0]).toBe(young.runId);
    table.client.destroy();
  });

  it('refuses a cursor it did not print', async () => {
    const run = await runInProcess(['runs', '--cursor', 'not-a-cursor'], { env });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('--cursor');
  });
});

describe("revalidate and recompact: the gas station's FAILED compaction, recovered", () => {
  it('revalidates against the FAILED run (exit 3, nothing written), recompacts on confirmation, then labels it', async () => {
    const failed = await runInProcess(['revalidate', ...args(gas), '--json'], { env });
    expect(failed.code).toBe(EXIT.failed);
    expect(failed.json()).toMatchObject({
      gate: { outcome: 'failed' },
      decision: 'skip',
      labels: { written: 0 },
    });

    const declined = await runInProcess(['recompact', ...args(gas)], { env, stdin: 'n\n' });
    expect(declined.code).toBe(EXIT.error);
    expect(declined.stderr).toContain('not confirmed');
    const unanswered = await runInProcess(['recompact', ...args(gas)], { env });
    expect(unanswered.code).toBe(EXIT.error);
    expect((await system.container.get(TOKENS.LabelRepository).getLabels(gas)).length).toBe(0);

    const created = await runInProcess(['recompact', ...args(gas), '--json'], { env, stdin: 'y\n' });
    expect(created.code).toBe(EXIT.ok);
    const { run } = created.json<{ run: CompactionRunKey }>();
    expect(run.runId).not.toBe(gas.runId);

    // The local system's compactor merges the new run from the stream.
    const waited = await runInProcess(['wait', ...args(gas), '--json'], { env });
    expect(waited.json()).toMatchObject({ outcome: 'completed', run });
    const revalidated = await runInProcess(['revalidate', ...args(gas), '--json'], { env });
    expect(revalidated.code).toBe(EXIT.ok);
    const report = revalidated.json<{ decision: string; labels: { written: number } }>();
    expect(report.decision).toBe('write_guarded');
    expect(report.labels.written).toBeGreaterThan(0);
    const labels = await system.container.get(TOKENS.LabelRepository).getLabels(gas);
    expect(labels).toHaveLength(report.labels.written);

    const again = await runInProcess(['revalidate', ...args(gas), '--json'], { env });
    expect(again.json()).toMatchObject({ labels: { written: 0, alreadyPresent: report.labels.written } });
  });

  it('refuses to recompact without DELTAS_BUCKET', async () => {
    const run = await runInProcess(['recompact', ...args(coffee), '--yes'], {
      env: { ...env, DELTAS_BUCKET: undefined },
    });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('DELTAS_BUCKET');
  });
});

describe('bad input', () => {
  it('refuses an image id that is not a UUID and a receipt id that is not a positive integer (exit 2)', async () => {
    for (const argv of [
      ['status', 'receipt-1', '1'],
      ['wait', coffee.imageId, '0'],
      ['wait', coffee.imageId, '1.5'],
      ['recompact', coffee.imageId, '-3', '--yes'],
      ['wait', coffee.imageId, '1', '--timeout', 'soon'],
    ]) {
      const run = await runInProcess(argv, { env });
      expect(run.code, argv.join(' ')).toBe(EXIT.usage);
      expect(run.stderr, argv.join(' ')).toMatch(/error: .*(UUID|positive integer|duration)/);
    }
  });

  it('names a table that does not exist', async () => {
    const run = await runInProcess(['status', ...args(coffee), '--table', 'no-such-table'], { env });
    expect(run.code).toBe(EXIT.error);
    expect(run.stderr).toBe(
      `error: table "no-such-table" does not exist in the DynamoDB at ${new URL(system.endpoint).host}\n`,
    );
  });

  it('asks for a table when none is given', async () => {
    const run = await runInProcess(['runs'], { env: { ...env, TABLE_NAME: undefined } });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('--table');
  });

  it('explains missing AWS credentials without printing any secret', async () => {
    const home = await mkdtemp(join(tmpdir(), 'cli-home-'));
    const secret = 'not-a-real-secret-but-never-printed-0123456789';
    try {
      const run = await runBinary(['status', ...args(coffee), '--table', 'receipts'], {
        HOME: home,
        AWS_REGION: 'eu-west-1',
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        // Half a key pair is no credentials.
        AWS_SECRET_ACCESS_KEY: secret,
      });
      expect(run.code).toBe(EXIT.error);
      expect(run.stderr).toMatch(/^error: no AWS credentials found: set AWS_PROFILE/);
      expect(run.stdout + run.stderr).not.toContain(secret.slice(0, 8));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('help', () => {
  it('documents the exit codes of wait by outcome', async () => {
    const run = await runInProcess(['wait', '--help'], { env });
    expect(run.code).toBe(EXIT.ok);
    for (const line of ['0    completed', '3    failed', '4    timed_out', '5    not_found']) {
      expect(run.stdout).toContain(line);
    }
  });

  it('has --help and --json on every table command', async () => {
    for (const command of ['status', 'wait', 'runs', 'recompact', 'revalidate', 'redrive']) {
      const run = await runInProcess([command, '--help'], { env });
      expect(run.code, command).toBe(EXIT.ok);
      expect(run.stdout, command).toContain('--json');
    }
  });
});
