import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { checkItemFormat } from '@receipt-gate/local-runtime';
import { scanTable } from '../local-system/scan-table.js';

/** Types the receipt-details index (GSI4) lists: every one of them must carry its keys. */
const GSI4_TYPES = new Set(['RECEIPT_LINE', 'RECEIPT_WORD', 'RECEIPT_WORD_LABEL', 'RECEIPT_PLACE']);

export interface TableFormatReport {
  /** Items by TYPE. */
  readonly counts: Readonly<Record<string, number>>;
  readonly items: number;
  readonly hasGsi4: boolean;
  /** Merchant names of the RECEIPT_PLACE items a validation corrected (`validated_by` INFERENCE). */
  readonly corrected: readonly string[];
  /** Every way the table departs from the current format; empty when it fits. */
  readonly violations: readonly string[];
}

/**
 * Checks what a run left in the table against the current item format: every item (keys, GSI1-4, types, number
 * formats, enums, RECEIPT_PLACE's closed attribute set), GSI4 on every item the receipt-details index lists, the
 * GSI4 index itself, and no merchant record left in the legacy RECEIPT_METADATA.
 */
export async function checkTableFormat(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableFormatReport> {
  const items = await scanTable(client, tableName);
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const hasGsi4 = (Table?.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === 'GSI4');

  const counts: Record<string, number> = {};
  const violations = items.flatMap((item) => checkItemFormat(item));
  for (const item of items) {
    const type = item.TYPE?.S ?? '?';
    counts[type] = (counts[type] ?? 0) + 1;
    if (GSI4_TYPES.has(type) && (!item.GSI4PK || !item.GSI4SK)) {
      violations.push(`${type} ${item.SK?.S}: no GSI4 keys`);
    }
  }
  if (!hasGsi4) violations.push(`table ${tableName} has no GSI4 index`);
  if (counts.RECEIPT_METADATA)
    violations.push(`${counts.RECEIPT_METADATA} RECEIPT_METADATA items were written`);
  const corrected = items
    .filter((item) => item.TYPE?.S === 'RECEIPT_PLACE' && item.validated_by?.S === 'INFERENCE')
    .map((item) => item.merchant_name?.S ?? '?');
  return { counts, items: items.length, hasGsi4, corrected, violations };
}
