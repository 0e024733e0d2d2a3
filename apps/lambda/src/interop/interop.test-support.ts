import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  InMemoryEmbeddingDeltaStore,
  InMemoryEmbeddingSnapshotStore,
  RecordingTelemetry,
} from '@receipt-gate/core/testing';
import {
  checkItemFormat,
  createLambdaContext,
  LOCAL_REGION,
  localStreamsClient,
  StreamPump,
} from '@receipt-gate/local-runtime';
import type { DynamoDBRecord } from 'aws-lambda';
import { dynamoEndpoint, freshTable } from '../../test/dynamodb.js';
import { type AppConfig, configFromEnv } from '../config/app-config.js';
import { createContainer } from '../container/create-container.js';
import { TOKENS } from '../container/tokens.js';
import type { DeadLetter } from '../handlers/dispatcher/dead-letters.js';
import { dispatcherFilters } from '../handlers/dispatcher/dispatcher-filters.js';
import { DISPATCHER_STREAM_SETTINGS } from '../handlers/event-source-settings.js';

export type Item = Record<string, AttributeValue>;

/**
 * The shipped flow on a fresh table of the run's DynamoDB Local: the container's handlers, in-memory embedding
 * stores, and the compactor fed by the table's real stream through a pump with the deployed filters. Uploads are
 * validated inline. `stop` undoes all of it.
 */
export async function startFlow(env: Record<string, string> = {}) {
  const table = await freshTable('interop');
  const streamsClient = localStreamsClient(dynamoEndpoint());
  const telemetry = new RecordingTelemetry();
  const snapshots = new InMemoryEmbeddingSnapshotStore();
  const config: AppConfig = configFromEnv({
    TABLE_NAME: table.tableName,
    // The embedding stores are in memory here (overridden below); the bucket only satisfies the configuration.
    DELTAS_BUCKET: 'interop-deltas',
    GATE_POLL_INTERVAL_MS: '100',
    GATE_MAX_WAIT_MS: '20000',
    ...env,
  });
  const deadLetters: DeadLetter[] = [];
  const container = createContainer(config, {
    telemetry,
    dynamoClient: table.client,
    deltas: new InMemoryEmbeddingDeltaStore(),
    snapshots,
    deadLetters: { put: async (letters) => void deadLetters.push(...letters) },
  });
  const unprocessed: DynamoDBRecord[] = [];
  const pump = new StreamPump({ streamsClient, streamArn: table.streamArn, region: LOCAL_REGION }, [
    {
      name: 'dispatcher',
      handler: container.get(TOKENS.DispatcherHandler),
      filters: dispatcherFilters(container.get(TOKENS.MerchantRecordCodec).type, false),
      startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: DISPATCHER_STREAM_SETTINGS.maximumRetryAttempts,
      parallelizationFactor: DISPATCHER_STREAM_SETTINGS.parallelizationFactor,
      onFailure: (records) => {
        unprocessed.push(...records);
      },
    },
  ]);
  await pump.start();
  const upload = container.get(TOKENS.UploadHandler);
  const context = createLambdaContext({
    functionName: 'upload',
    region: LOCAL_REGION,
    accountId: '000000000000',
    timeoutMs: 120_000,
  });
  return {
    table,
    container,
    telemetry,
    snapshots,
    unprocessed,
    deadLetters,
    upload: (payload: unknown) => upload(payload, context),
    settle: () => pump.drain({ idleMs: 500, timeoutMs: 60_000 }),
    put: (item: Item) => table.client.send(new PutItemCommand({ TableName: table.tableName, Item: item })),
    /** Every item of the table. */
    items: table.items,
    stop: async () => {
      await pump.stop();
      streamsClient.destroy();
      await table.drop();
    },
  };
}

export type Flow = Awaited<ReturnType<typeof startFlow>>;

export const keyOf = (item: Item) => `${item.PK?.S}|${item.SK?.S}`;

/** The violations of the current format in `items`, each named by its key. */
export function formatViolations(items: readonly Item[], strictness: 'written' | 'readable' = 'written') {
  return items.flatMap((item) => checkItemFormat(item, strictness));
}

/** The upload handler's event for a sample receipt (ids stripped from its lines, words and record). */
export function uploadEvent(sample: {
  imageId: string;
  receiptId: number;
  lines: readonly object[];
  words: readonly object[];
  metadata: object;
}) {
  const strip = ({ imageId: _i, receiptId: _r, ...rest }: { imageId?: unknown; receiptId?: unknown }) => rest;
  return {
    imageId: sample.imageId,
    receiptId: sample.receiptId,
    lines: sample.lines.map(strip),
    words: sample.words.map(strip),
    metadata: strip(sample.metadata),
  };
}
