import { type AttributeValue, type DynamoDBClient, paginateQuery } from '@aws-sdk/client-dynamodb';
import type { ReceiptRef, ReceiptVersionStore } from '@receipt-gate/core';
import {
  InMemoryEmbeddingDeltaStore,
  InMemoryEmbeddingSnapshotStore,
  RecordingTelemetry,
} from '@receipt-gate/core/testing';
import { createLambdaContext, LOCAL_REGION } from '@receipt-gate/local-runtime';
import { freshTable } from '../../test/dynamodb.js';
import { configFromEnv } from '../config/app-config.js';
import { type ContainerOverrides, createContainer } from '../container/create-container.js';
import { TOKENS } from '../container/tokens.js';
import { createUploadHandler } from './upload-handler.js';

export type Item = Record<string, AttributeValue>;

/** The DynamoDB commands that write. */
const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
  'BatchWriteItemCommand',
]);

/** Where an injected fault strikes: before the write (it never happens) or after it (its answer is lost). */
export type FaultTiming = 'before' | 'after';

/**
 * A fault injector for a DynamoDB client: counts the write commands it sends and fails the one chosen. It sits
 * before the SDK's own retries, so the caller sees the failure as it is (a retry would hide it).
 */
export class WriteFaults {
  writes = 0;
  #failAt: number | undefined;
  #timing: FaultTiming = 'before';

  /** Fails the `n`-th write from now (1 = the next one), once. */
  failAt(n: number, timing: FaultTiming): void {
    this.writes = 0;
    this.#failAt = n;
    this.#timing = timing;
  }

  reset(): void {
    this.writes = 0;
    this.#failAt = undefined;
  }

  install(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!WRITES.has(context.commandName ?? '')) return next(args);
        this.writes += 1;
        const strike = this.writes === this.#failAt;
        if (strike && this.#timing === 'before')
          throw new Error(`injected fault before write ${this.writes}`);
        const output = await next(args);
        if (strike) throw new Error(`injected fault after write ${this.writes} (its answer lost)`);
        return output;
      },
      { step: 'initialize', name: 'injectWriteFaults' },
    );
  }
}

/**
 * The shipped upload handler on a fresh table of the run's DynamoDB Local (event mode: the upload stores and
 * returns), with in-memory embedding stores and a fault injector on the table's client. No compactor runs: a test
 * that replaces a receipt completes the replaced run itself (`completeRun`), or the upload waits for it.
 */
export async function startUploadSystem(
  env: Record<string, string> = {},
  overrides: Pick<ContainerOverrides, 'deadLetters' | 'validationDispatch'> = {},
) {
  const table = await freshTable('upload');
  const faults = new WriteFaults();
  faults.install(table.client);
  const deltas = new InMemoryEmbeddingDeltaStore();
  const snapshots = new InMemoryEmbeddingSnapshotStore();
  const telemetry = new RecordingTelemetry();
  const config = configFromEnv({
    TABLE_NAME: table.tableName,
    DELTAS_BUCKET: 'upload-deltas',
    RECEIPT_GATE_MODE: 'event',
    GATE_POLL_INTERVAL_MS: '50',
    GATE_MAX_WAIT_MS: '2000',
    ...env,
  });
  const container = createContainer(config, {
    telemetry,
    dynamoClient: table.client,
    deltas,
    snapshots,
    ...overrides,
  });
  const handler = container.get(TOKENS.UploadHandler);
  const context = createLambdaContext({
    functionName: 'upload',
    region: LOCAL_REGION,
    accountId: '000000000000',
    timeoutMs: 60_000,
  });
  const key = (item: Item) => `${item.PK?.S}|${item.SK?.S}`;
  const byKey = (a: Item, b: Item) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  const scan = async (): Promise<Item[]> => (await table.items()).sort(byKey);
  /** The items of one partition (those whose sort key starts with `skPrefix`), strongly consistent. */
  const partition = async (pk: string, skPrefix?: string): Promise<Item[]> => {
    const items: Item[] = [];
    const input = {
      TableName: table.tableName,
      KeyConditionExpression: skPrefix ? 'PK = :pk AND begins_with(SK, :sk)' : 'PK = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk }, ...(skPrefix && { ':sk': { S: skPrefix } }) },
      ConsistentRead: true,
    };
    for await (const page of paginateQuery({ client: table.client }, input))
      items.push(...(page.Items ?? []));
    return items;
  };
  return {
    table,
    container,
    faults,
    deltas,
    snapshots,
    telemetry,
    upload: (payload: unknown) => handler(payload, context),
    /** The upload handler as the container builds it, but on `versions` (a test's broken variant of the store). */
    uploadWith(versions: (store: ReceiptVersionStore) => ReceiptVersionStore) {
      const variant = createUploadHandler({
        mode: config.mode,
        inlineReserveMs: config.inlineReserveMs,
        versions: versions(container.get(TOKENS.ReceiptVersionStore)),
        deltas,
        snapshots,
        embedder: container.get(TOKENS.Embedder),
        gate: container.get(TOKENS.CompactionGate),
        clock: container.get(TOKENS.Clock),
        telemetry,
        validate: container.get(TOKENS.Validate),
        flush: container.get(TOKENS.Flush),
      });
      return (payload: unknown) => variant(payload, context);
    },
    /** Every item of the table, ordered by key. */
    scan,
    /**
     * Every item that belongs to one receipt: its image partition's items of the receipt, and its lease, read by
     * Query (a scan of the whole table, which grows with every case, would make a long suite quadratic).
     */
    async itemsOf(receipt: ReceiptRef): Promise<Item[]> {
      const r5 = `RECEIPT#${String(receipt.receiptId).padStart(5, '0')}`;
      const [own, lease] = await Promise.all([
        partition(`IMAGE#${receipt.imageId}`, `${r5}#`),
        partition(`UPLOAD_LEASE#IMAGE#${receipt.imageId}#${r5}`),
      ]);
      return [...lease, ...own].sort(byKey);
    },
    /** Marks both collections of a run COMPLETED, as the compactor would. */
    async completeRun(run: { imageId: string; receiptId: number; runId: string }) {
      const runs = container.get(TOKENS.CompactionRunRepository);
      const at = new Date().toISOString();
      for (const collection of ['lines', 'words'] as const) {
        await runs.transitionCollection(run, collection, { to: 'PROCESSING', at });
        await runs.transitionCollection(run, collection, { to: 'COMPLETED', at, mergedVectors: 1 });
      }
    },
    stop: () => table.drop(),
  };
}

export type UploadSystem = Awaited<ReturnType<typeof startUploadSystem>>;
