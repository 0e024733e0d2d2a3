import { tableDefinition } from '@receipt-gate/lambda/deployment';
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  type Attribute,
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  StreamViewType,
  Table,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { TableSource } from './settings.js';

/** The attribute the shared table expires items by. */
export const TTL_ATTRIBUTE = 'time_to_live';

export interface ReceiptTable {
  readonly table: ITable;
  readonly tableName: string;
  readonly tableArn: string;
  readonly streamArn: string;
  readonly created: boolean;
}

type TableDefinition = ReturnType<typeof tableDefinition>;

const KEY_TYPES = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;

/** The key attributes of a key schema, typed from the attribute definitions. */
function keysOf(definition: TableDefinition, keySchema: TableDefinition['KeySchema']) {
  const attribute = (name: string | undefined): Attribute => {
    const type = definition.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
    if (!name || !type) throw new Error(`the table definition does not define key attribute ${name}`);
    return { name, type: KEY_TYPES[type] };
  };
  const hash = keySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
  const range = keySchema?.find((key) => key.KeyType === 'RANGE')?.AttributeName;
  return { partitionKey: attribute(hash), ...(range && { sortKey: attribute(range) }) };
}

/**
 * The shared single table: created from the adapters' own definition (`tableDefinition`: keys, every GSI, the
 * NEW_AND_OLD_IMAGES stream), so the deployed indexes cannot drift from what the code queries — or, for the live
 * table the existing services already use, imported by name and stream ARN and left as it is.
 */
export function receiptTable(scope: Construct, source: TableSource): ReceiptTable {
  if (source.kind === 'import') {
    const table = Table.fromTableAttributes(scope, 'Table', {
      tableName: source.tableName,
      tableStreamArn: source.tableStreamArn,
    });
    return {
      table,
      tableName: table.tableName,
      tableArn: table.tableArn,
      streamArn: source.tableStreamArn,
      created: false,
    };
  }
  const definition = tableDefinition('receipt-gate');
  if (definition.StreamSpecification?.StreamViewType !== 'NEW_AND_OLD_IMAGES') {
    throw new Error('the table definition must stream NEW_AND_OLD_IMAGES');
  }
  const table = new Table(scope, 'Table', {
    ...keysOf(definition, definition.KeySchema),
    billingMode: BillingMode.PAY_PER_REQUEST,
    stream: StreamViewType.NEW_AND_OLD_IMAGES,
    timeToLiveAttribute: TTL_ATTRIBUTE,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    // The receipts are the product's data: removing the stack must never delete them.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of definition.GlobalSecondaryIndexes ?? []) {
    if (!index.IndexName || index.Projection?.ProjectionType !== 'ALL') {
      throw new Error(`index ${index.IndexName} must be named and project ALL`);
    }
    table.addGlobalSecondaryIndex({
      indexName: index.IndexName,
      ...keysOf(definition, index.KeySchema),
      projectionType: ProjectionType.ALL,
    });
  }
  if (!table.tableStreamArn) throw new Error('the created table has no stream');
  return {
    table,
    tableName: table.tableName,
    tableArn: table.tableArn,
    streamArn: table.tableStreamArn,
    created: true,
  };
}
