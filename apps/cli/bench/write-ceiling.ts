import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { ensureTable } from '@receipt-gate/lambda';

type Item = Record<string, AttributeValue>;

export interface WriteCeiling {
  /** Items per second of the pure BatchWriteItem load. */
  readonly itemsPerSecond: number;
  readonly items: number;
  readonly ms: number;
  /** Mean size of the items written (bytes of their JSON), the flow's own. */
  readonly meanItemBytes: number;
}

const BATCH = 25;
const IN_FLIGHT = 16;

/**
 * What DynamoDB Local can write on this machine right now: the items the flow left in `tableName`, written again
 * under new keys into a fresh table (same definition, stream included) by BatchWriteItem alone, 25 items a
 * request and 16 requests in flight, at most `maxItems` of them, as fast as it takes them. Unprocessed items are written again, so every item
 * counts once. The flow's own throughput is read against this.
 */
export async function measureWriteCeiling(
  client: DynamoDBClient,
  tableName: string,
  maxItems = 3_000,
): Promise<WriteCeiling> {
  const source: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    source.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const target = `${tableName}-ceiling`;
  await ensureTable(client, target);
  // The flow's items in their order, as many as `maxItems` (repeated if fewer): a few seconds of load.
  const items = Array.from({ length: Math.min(maxItems, Math.max(source.length, 1) * 3) }, (_, i) => {
    const item = source[i % source.length] ?? {};
    return { ...item, PK: { S: `CEILING#${Math.floor(i / source.length)}#${item.PK?.S ?? ''}` } };
  });
  const batches: Item[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  const startedAt = performance.now();
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
  const ms = performance.now() - startedAt;
  const bytes = source.reduce((total, item) => total + JSON.stringify(item).length, 0);
  return {
    itemsPerSecond: items.length / (ms / 1000),
    items: items.length,
    ms,
    meanItemBytes: source.length > 0 ? bytes / source.length : 0,
  };
}
