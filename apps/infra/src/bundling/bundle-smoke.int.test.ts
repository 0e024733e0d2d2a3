import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deltaPrefixes, newCompactionRun } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { toCompactionRunItem, toWordLabelItem } from '@receipt-gate/lambda';
import type { LambdaFunctionName } from '@receipt-gate/lambda/deployment';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FUNCTION_RUNTIME } from '../stack/receipt-gate-function.js';
import { BUNDLE_NODE_MAJOR } from './function-bundles.js';
import { nodeBinary } from './node-binary.js';

const bundles = inject('functionBundles');
const DRIVER = fileURLToPath(new URL('./invoke-bundle.mjs', import.meta.url));

// Each artifact runs from a copy outside the repository, as Lambda runs it: nothing resolves from our node_modules.
const artifacts = mkdtempSync(join(tmpdir(), 'receipt-gate-artifacts-'));
for (const [name, { dir }] of Object.entries(bundles))
  cpSync(dir, join(artifacts, name), { recursive: true });
afterAll(() => rmSync(artifacts, { recursive: true, force: true }));

/** The lowest Node.js the bundles support, and the one the functions are deployed on. */
const RUNTIME_MAJOR = Number(/^nodejs(\d+)\.x$/.exec(FUNCTION_RUNTIME.name)?.[1]);
const MAJORS = [...new Set([BUNDLE_NODE_MAJOR, RUNTIME_MAJOR])];

interface Invocation {
  readonly node: string;
  readonly initMs: number;
  readonly result?: Record<string, unknown>;
  readonly error?: string;
}

// In-memory stores, no AWS: only what the handlers read from the environment, nothing of this process's.
const BASE_ENV = {
  RECEIPT_GATE_STORE: 'memory',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

/** Runs a bundle on the given Node.js major version with one event (on stdin); resolves to what it printed. */
async function invoke(
  major: number,
  name: LambdaFunctionName,
  event: unknown,
  env: Record<string, string>,
): Promise<Invocation> {
  const child = spawn(await nodeBinary(major), [DRIVER, join(artifacts, name)], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...BASE_ENV, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(JSON.stringify(event));
  const code = await new Promise<number | null>((exited, failed) => {
    child.on('error', failed);
    child.on('close', exited);
  });
  if (code !== 0) throw new Error(`the ${name} bundle exited with ${code} on Node.js ${major}: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Invocation;
}

const sample = SAMPLE_RECEIPTS[0];
if (!sample) throw new Error('no sample receipt');
const receipt = { imageId: sample.imageId, receiptId: sample.receiptId };
const runKey = { ...receipt, runId: '3f1c2b7e-8d4a-4c6b-9e2f-0a1b2c3d4e5f' };
const pendingRun = newCompactionRun({
  ...runKey,
  ...deltaPrefixes(runKey),
  createdAt: '2026-01-01T00:00:00.000Z',
});

const streamRecord = (
  eventName: 'INSERT' | 'MODIFY',
  item: Record<string, unknown>,
  sequenceNumber: string,
) => ({
  eventID: sequenceNumber,
  eventName,
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'us-east-1',
  eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/receipts/stream/2026-01-01T00:00:00.000',
  dynamodb: {
    ApproximateCreationDateTime: 1_767_225_600,
    Keys: { PK: item.PK, SK: item.SK },
    NewImage: item,
    SequenceNumber: sequenceNumber,
    SizeBytes: 512,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

describe.each(MAJORS)('the function bundles on Node.js %i', (major) => {
  it('upload: stores a receipt and validates it inline, with the offline analyzer', async () => {
    const { node, result, error } = await invoke(major, 'upload', sample, {
      RECEIPT_GATE_MODE: 'inline',
      // Nothing compacts in memory: the gate times out at once and the default policy writes unguarded.
      GATE_MAX_WAIT_MS: '1',
    });
    expect(error).toBeUndefined();
    expect(node.startsWith(`v${major}.`)).toBe(true);
    expect(result).toMatchObject({
      mode: 'inline',
      run: { imageId: receipt.imageId, receiptId: receipt.receiptId },
      validation: { gate: { outcome: 'timed_out' }, decision: 'write_unguarded' },
    });
    expect(result?.validation).toMatchObject({ labels: { written: expect.any(Number) } });
    expect(
      (result?.validation as { labels: { written: number } } | undefined)?.labels.written,
    ).toBeGreaterThan(0);
  });

  describe('with the LLM analyzer configured', () => {
    let server: Server;
    const requests: string[] = [];
    beforeAll(async () => {
      // A loopback Ollama that is down: the analyzer's chunk must load and call it before falling back.
      server = createServer((request, response) => {
        requests.push(`${request.method} ${request.url}`);
        request.resume();
        response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"model unavailable"}');
      });
      await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    });
    afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

    it('upload: loads the LLM chunk on first use, calls Ollama, and falls back to the offline analyzer', async () => {
      const { port } = server.address() as AddressInfo;
      const { result, error } = await invoke(major, 'upload', sample, {
        RECEIPT_GATE_MODE: 'inline',
        GATE_MAX_WAIT_MS: '1',
        RECEIPT_ANALYZER: 'ollama',
        OLLAMA_HOST: `http://127.0.0.1:${port}`,
        OLLAMA_MAX_RETRIES: '0',
        ANALYZER_FALLBACK: 'offline',
      });
      expect(error).toBeUndefined();
      expect(requests.some((request) => request.startsWith('POST /api/chat'))).toBe(true);
      expect(result).toMatchObject({ validation: { analyzer: 'OFFLINE_ANALYZER' } });
    });
  });

  it('dispatcher: acknowledges a change for a receipt not merged yet, dead-letters a record it can never apply', async () => {
    const label = {
      ...receipt,
      lineId: 1,
      wordId: 1,
      label: 'MERCHANT_NAME',
      timestampAdded: '2026-01-01T00:00:00.000Z',
      validationStatus: 'PENDING',
    } as const;
    const labelItem = toWordLabelItem(label);
    const event = {
      Records: [
        // A run the store does not hold: nothing to merge, done.
        streamRecord('INSERT', toCompactionRunItem(pendingRun), '100'),
        // No vectors for this receipt yet: deferred to its merge, acknowledged.
        streamRecord('INSERT', labelItem, '101'),
        // A label whose key names no word: it can never be applied.
        streamRecord(
          'INSERT',
          { ...labelItem, SK: { S: 'RECEIPT#00001#LINE#x#WORD#00001#LABEL#TOTAL' } },
          '102',
        ),
      ],
    };
    const { result, error } = await invoke(major, 'dispatcher', event, {});
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it("validation: takes the dispatcher's payload, and fails the invocation when its policy refuses", async () => {
    const payload = { run: runKey };
    // The run is not in the (empty) store: `not_found` at once; the `skip` policy completes, `fail` throws.
    const env = { RECEIPT_GATE_MODE: 'event', GATE_NOT_FOUND_GRACE_MS: '0' };
    const skipped = await invoke(major, 'validation', payload, { ...env, ON_COMPACTION_NOT_FOUND: 'skip' });
    expect(skipped.error).toBeUndefined();
    expect(skipped.result).toEqual({ run: runKey, outcome: 'not_found', labelsWritten: 0 });
    const refused = await invoke(major, 'validation', payload, { ...env, ON_COMPACTION_NOT_FOUND: 'fail' });
    expect(refused.error).toContain('not_found');
  });
});
