import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { ensureTable } from '@receipt-gate/lambda';
import { processCpuMs } from './process-cpu.js';

type Item = Record<string, AttributeValue>;

export interface WriteCeiling {
  /** Items per second of the pure BatchWriteItem load. */
  readonly itemsPerSecond: number;
  readonly items: number;
  readonly ms: number;
  /** Mean size of the items written (bytes of their JSON), the flow's own. */
  readonly meanItemBytes: number;
  /**
   * CPU per item of the least work any implementation of the flow does with an item: write it once (by
   * BatchWriteItem), read it back once (by Query), read its stream record once (by GetRecords); the least of a few
   * passes. This process's and the JVM's; the JVM's is undefined where the OS does not tell.
   */
  readonly floorCpuMsPerItem: { readonly node: number; readonly database: number | undefined };
  /**
   * Actions per second of the same items written by TransactWriteItems, as the flow's fenced and guarded writes
   * are: each transaction up to 99 puts of one partition and a condition check on an item of that partition.
   */
  readonly transactional: {
    readonly actionsPerSecond: number;
    readonly actions: number;
    readonly ms: number;
  };
}

export interface WriteCeilingOptions {
  readonly streams: DynamoDBStreamsClient;
  /** The DynamoDB Local JVM's process id, for its CPU time. */
  readonly databasePid: number;
  readonly maxItems?: number;
}

const BATCH = 25;
const IN_FLIGHT = 16;
const FLOOR_PASSES = 3;
const PUTS_PER_TRANSACTION = 99;
const TRANSACTION_PASSES = 2;
const TRANSACTION_ATTEMPTS = 5;

/**
 * What DynamoDB Local can write on this machine: the items a flow left (`source`), written again under new keys
 * into a fresh table (our table's definition, stream included) on `client` by BatchWriteItem alone, 25 items a
 * request and 16 requests in flight, at most `maxItems` of them, as fast as it takes them. Unprocessed items are
 * written again, so every item counts once. The same load is written once before, unmeasured: a cold JVM takes it
 * at a third of its warm speed, and the flow it is compared with ran on a warm one. The flow's own throughput is
 * read against this.
 */
export async function measureWriteCeiling(
  client: DynamoDBClient,
  source: readonly Item[],
  options: WriteCeilingOptions,
): Promise<WriteCeiling> {
  const maxItems = options.maxItems ?? 6_000;
  const target = 'write-ceiling';
  const streamArn = await ensureTable(client, target);
  const stream = new StreamReader(options.streams, streamArn);
  const warmup = copies(source, maxItems, 'WARMUP');
  await writeAll(client, target, warmup);
  await queryAll(client, target, warmup);
  await stream.readNew();
  // The least of a few passes: the floor is a bound on what any implementation needs, so it takes the best case.
  let best: { ms: number; node: number; database: number | undefined } | undefined;
  for (let pass = 1; pass <= FLOOR_PASSES; pass++) {
    const items = copies(source, maxItems, `CEILING${pass}`);
    const cpu = new CpuMeter(options.databasePid);
    const startedAt = performance.now();
    await writeAll(client, target, items);
    const ms = performance.now() - startedAt;
    await queryAll(client, target, items);
    await stream.readNew();
    const { node, database } = cpu.lap();
    const perItem = {
      ms,
      node: node / items.length,
      database: database === undefined ? undefined : database / items.length,
    };
    if (!best || perItem.node + (perItem.database ?? 0) < best.node + (best.database ?? 0)) best = perItem;
  }
  const measured = best as NonNullable<typeof best>;
  await writeTransactionally(client, target, copies(source, maxItems, 'WARMUP-TX'));
  let transactional: WriteCeiling['transactional'] | undefined;
  for (let pass = 1; pass <= TRANSACTION_PASSES; pass++) {
    const lap = await writeTransactionally(client, target, copies(source, maxItems, `TX${pass}`));
    if (!transactional || lap.actionsPerSecond > transactional.actionsPerSecond) transactional = lap;
  }
  const items = Math.min(maxItems, Math.max(source.length, 1) * 3);
  const bytes = source.reduce((total, item) => total + JSON.stringify(item).length, 0);
  return {
    itemsPerSecond: items / (measured.ms / 1000),
    items,
    ms: measured.ms,
    meanItemBytes: source.length > 0 ? bytes / source.length : 0,
    floorCpuMsPerItem: { node: measured.node, database: measured.database },
    transactional: transactional as WriteCeiling['transactional'],
  };
}

interface CpuLap {
  readonly node: number;
  readonly database: number | undefined;
}

/** CPU time of this process and of the JVM since the previous lap. */
class CpuMeter {
  #node = process.cpuUsage();
  #database: number | undefined;

  constructor(private readonly pid: number) {
    this.#database = processCpuMs(pid);
  }

  lap(): CpuLap {
    const node = process.cpuUsage(this.#node);
    const database = processCpuMs(this.pid);
    const lap = {
      node: (node.user + node.system) / 1000,
      database:
        database === undefined || this.#database === undefined ? undefined : database - this.#database,
    };
    this.#node = process.cpuUsage();
    this.#database = database;
    return lap;
  }
}

/** Reads each item's partition back by Query, every page, 16 partitions at a time. */
async function queryAll(client: DynamoDBClient, target: string, items: readonly Item[]): Promise<void> {
  const keys = [...new Set(items.map((item) => item.PK?.S ?? ''))];
  const worker = async () => {
    for (let key = keys.shift(); key !== undefined; key = keys.shift()) {
      let startKey: Item | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: target,
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': { S: key } },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** Reads a stream's records, each call those written since the previous one (all of them the first time). */
class StreamReader {
  readonly #iterators = new Map<string, string | undefined>();

  constructor(
    private readonly streams: DynamoDBStreamsClient,
    private readonly streamArn: string,
  ) {}

  /** Reads every shard to its end. */
  async readNew(): Promise<void> {
    const { StreamDescription } = await this.streams.send(
      new DescribeStreamCommand({ StreamArn: this.streamArn }),
    );
    for (const { ShardId: shardId } of StreamDescription?.Shards ?? []) {
      if (!shardId) continue;
      let iterator = this.#iterators.has(shardId)
        ? this.#iterators.get(shardId)
        : (
            await this.streams.send(
              new GetShardIteratorCommand({
                StreamArn: this.streamArn,
                ShardId: shardId,
                ShardIteratorType: 'TRIM_HORIZON',
              }),
            )
          ).ShardIterator;
      while (iterator) {
        const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const read = page.Records?.length ?? 0;
        // An empty page: the shard is read to its end for now (an open shard), or for good (a closed one).
        this.#iterators.set(shardId, page.NextShardIterator);
        iterator = read > 0 ? page.NextShardIterator : undefined;
      }
    }
  }
}

/** The flow's items in their order under new keys, as many as `count` (repeated if fewer): a few seconds of load. */
function copies(source: readonly Item[], count: number, prefix: string): Item[] {
  return Array.from({ length: Math.min(count, Math.max(source.length, 1) * 3) }, (_, i) => {
    const item = source[i % source.length] ?? {};
    return { ...item, PK: { S: `${prefix}#${Math.floor(i / source.length)}#${item.PK?.S ?? ''}` } };
  });
}

/** Writes the items by BatchWriteItem, 25 a request and 16 requests in flight, unprocessed ones again. */
async function writeAll(client: DynamoDBClient, target: string, items: readonly Item[]): Promise<void> {
  const batches: Item[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  const worker = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      let pending: Item[] = batch;
      while (pending.length > 0) {
        const result = await client.send(
          new BatchWriteItemCommand({
            RequestItems: { [target]: pending.map((item) => ({ PutRequest: { Item: item } })) },
          }),
        );
        pending = (result.UnprocessedItems?.[target] ?? []).flatMap((request) =>
          request.PutRequest?.Item ? [request.PutRequest.Item] : [],
        );
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/**
 * Writes the items by TransactWriteItems, 16 transactions in flight: per partition, chunks of up to 99 puts and a
 * condition check on the partition's fence item (written first, unmeasured), as the upload's writes are fenced by
 * the receipt's lease and the labels guarded by the run. A transaction DynamoDB Local cancels (a lock timeout under
 * load) is sent again. Returns the actions written per second, condition checks included.
 */
async function writeTransactionally(
  client: DynamoDBClient,
  target: string,
  items: readonly Item[],
): Promise<WriteCeiling['transactional']> {
  const byPartition = new Map<string, Item[]>();
  for (const item of items) {
    const key = item.PK?.S ?? '';
    const puts = byPartition.get(key) ?? [];
    puts.push(item);
    byPartition.set(key, puts);
  }
  const fence = (key: string): Item => ({ PK: { S: key }, SK: { S: 'FENCE' } });
  await writeAll(client, target, [...byPartition.keys()].map(fence));
  const chunks: { key: string; puts: Item[] }[] = [];
  for (const [key, puts] of byPartition) {
    for (let i = 0; i < puts.length; i += PUTS_PER_TRANSACTION) {
      chunks.push({ key, puts: puts.slice(i, i + PUTS_PER_TRANSACTION) });
    }
  }
  const actions = chunks.reduce((total, chunk) => total + chunk.puts.length + 1, 0);
  const startedAt = performance.now();
  const worker = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      const request = new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: target,
              Key: fence(chunk.key),
              ConditionExpression: 'attribute_exists(PK)',
            },
          },
          ...chunk.puts.map((item) => ({ Put: { TableName: target, Item: item } })),
        ],
      });
      for (let attempt = 1; ; attempt++) {
        try {
          await client.send(request);
          break;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException) || attempt >= TRANSACTION_ATTEMPTS)
            throw error;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const ms = performance.now() - startedAt;
  return { actionsPerSecond: actions / (ms / 1000), actions, ms };
}
