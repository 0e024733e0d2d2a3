import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  type CompactionCollection,
  type CompactionRun,
  type CompactionRunKey,
  type EmbeddingVector,
  type MerchantRecord,
  type ReceiptRef,
  type ReceiptWordLabel,
  receiptVectorPrefix,
} from '@receipt-gate/core';
import { RecordingTelemetry, SAMPLE_RECEIPTS, type SampleReceipt } from '@receipt-gate/core/testing';
import type { RunMode } from '@receipt-gate/lambda';
import { TOKENS } from '@receipt-gate/lambda';
import {
  checkInvariants,
  LOCAL_REGION,
  LOCAL_S3_CREDENTIALS,
  RunRecorder,
} from '@receipt-gate/local-runtime';
import { inject, test } from 'vitest';
import { demoUploads } from '../demo/demo-uploads.js';
import { type LocalSystem, type LocalSystemOptions, startLocalSystem } from '../local-system/local-system.js';
import { scanTable } from '../local-system/scan-table.js';

export const MODES = ['inline', 'event'] as const satisfies readonly RunMode[];

/** Per test: the first tests of a run meet a cold DynamoDB Local JVM, several times slower than a warm one. */
export const E2E_TIMEOUT = { timeout: 60_000 } as const;

export type E2EOptions = Partial<Omit<LocalSystemOptions, 'mode' | 'telemetry'>> & { readonly mode: RunMode };

/** A local system with what the tests read back: every event and metric, and the container's repositories. */
export interface E2ESystem extends LocalSystem {
  readonly recorder: RunRecorder;
  readonly telemetry: RecordingTelemetry;
  /** The receipt's run, labels, merchant record and vectors (both snapshots) as they are now. */
  state(key: CompactionRunKey): Promise<ReceiptState>;
  /** `checkInvariants` on these runs; returns the violations. */
  violations(keys: readonly CompactionRunKey[]): Promise<string[]>;
  /** Every item of the table, ordered by key. */
  items(): Promise<Record<string, AttributeValue>[]>;
  /** The key of every object in the deltas bucket, sorted. */
  deltaObjects(): Promise<string[]>;
}

export interface ReceiptState {
  readonly run: CompactionRun | undefined;
  readonly labels: ReceiptWordLabel[];
  readonly metadata: MerchantRecord | undefined;
  readonly vectors: Record<CompactionCollection, EmbeddingVector[]>;
}

/**
 * Fast settings for a 2-core machine: merges of a few hundred ms, and a gate that reads often and waits long
 * enough for the compactor's queue (it only waits until the compaction is done). Tests about timeouts set their own.
 */
const DEFAULTS = {
  compactionDelayMs: 300,
  gatePolicy: { pollIntervalMs: 100, maxWaitMs: 20_000 },
} as const;

async function startE2ESystem(options: E2EOptions): Promise<E2ESystem> {
  const telemetry = new RecordingTelemetry();
  const recorder = new RunRecorder(telemetry);
  const system = await startLocalSystem({
    ...DEFAULTS,
    endpoint: inject('dynamoEndpoint'),
    s3Endpoint: inject('s3Endpoint'),
    tableName: `e2e-${options.mode}-${randomUUID().slice(0, 8)}`,
    ...options,
    telemetry: recorder,
  });
  const runs = system.container.get(TOKENS.CompactionRunRepository);
  const labels = system.container.get(TOKENS.LabelRepository);
  const metadata = system.container.get(TOKENS.MerchantRecordRepository);
  const vectorsOf = async (receipt: ReceiptRef) => {
    const prefix = receiptVectorPrefix(receipt);
    const [lines, words] = await Promise.all([
      system.snapshots.list('lines', prefix),
      system.snapshots.list('words', prefix),
    ]);
    return { lines, words };
  };
  return Object.assign(system, {
    recorder,
    telemetry,
    state: async (key: CompactionRunKey) => {
      const receipt = { imageId: key.imageId, receiptId: key.receiptId };
      const [run, receiptLabels, receiptMetadata, vectors] = await Promise.all([
        runs.getCompactionRun(key),
        labels.getLabels(receipt),
        metadata.getMerchantRecord(receipt),
        vectorsOf(receipt),
      ]);
      return { run, labels: receiptLabels, metadata: receiptMetadata, vectors };
    },
    violations: async (keys: readonly CompactionRunKey[]) => {
      const stores = { runs, labels, metadata, snapshots: system.snapshots };
      const { violations } = await checkInvariants(stores, keys, recorder, system.givenUp());
      return violations;
    },
    deltaObjects: async () => {
      const s3 = new S3Client({
        endpoint: system.s3Endpoint,
        forcePathStyle: true,
        region: LOCAL_REGION,
        credentials: LOCAL_S3_CREDENTIALS,
      });
      try {
        const keys: string[] = [];
        let token: string | undefined;
        do {
          const page = await s3.send(
            new ListObjectsV2Command({ Bucket: system.deltasBucket, ContinuationToken: token }),
          );
          keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
          token = page.NextContinuationToken;
        } while (token);
        return keys.sort();
      } finally {
        s3.destroy();
      }
    },
    items: async () => {
      const items = await scanTable(system.client, system.tableName, { ConsistentRead: true });
      const key = (item: Record<string, AttributeValue>) => `${item.PK?.S}|${item.SK?.S}`;
      return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    },
  });
}

/**
 * `test` with `start`: starts a local system on the run's DynamoDB Local (its own table and snapshot directory)
 * and stops every system it started once the test is over, passed or failed.
 */
export const e2e = test.extend<{ start: (options: E2EOptions) => Promise<E2ESystem> }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
  start: async ({}, use) => {
    const started: E2ESystem[] = [];
    try {
      await use(async (options) => {
        const system = await startE2ESystem(options);
        started.push(system);
        return system;
      });
    } finally {
      await Promise.all(started.map((system) => system.stop()));
    }
  },
});

const UPLOADS = demoUploads(SAMPLE_RECEIPTS.length);

/** The upload handler's event for one sample receipt, as the demo sends it. */
export function uploadOf(sample: SampleReceipt): Record<string, unknown> {
  const upload = UPLOADS.find((candidate) => candidate.sample === sample);
  if (!upload) throw new Error(`${sample.name} is not a sample receipt`);
  return upload.payload;
}

/**
 * Resolves with the receipt's run once the upload handler has stored it, while an inline upload still waits on
 * the gate: the moment to write as someone else would during the compaction.
 */
export async function storedRun(system: E2ESystem, receipt: ReceiptRef, timeoutMs = 30_000) {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const stored = system.telemetry
      .eventsOf('upload.stored')
      .find(({ run }) => run.imageId === receipt.imageId && run.receiptId === receipt.receiptId);
    if (stored) return stored.run;
    if (Date.now() > giveUpAt) throw new Error(`${receipt.imageId} was not stored within ${timeoutMs} ms`);
    await delay(10);
  }
}
