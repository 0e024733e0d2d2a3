import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { ServiceIdentifier } from 'inversify';
import type { RunMode } from '../config/app-config.js';
import { TOKENS } from '../container/tokens.js';
import { dispatcherFilters } from './dispatcher/dispatcher-filters.js';
import { DISPATCHER_STREAM_SETTINGS, type StreamMappingSettings } from './event-source-settings.js';

/** A handler of the table's stream, as Lambda invokes it. */
export type StreamBatchHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse>;

/** One event source mapping on the table's stream: its name, its handler in the container, how it is fed. */
export interface StreamMappingDefinition {
  /** The function's name (`dispatcher`), as the local stream pump and the deployed function are named. */
  readonly name: string;
  readonly handler: ServiceIdentifier<StreamBatchHandler>;
  readonly settings: StreamMappingSettings;
  /** Its `FilterCriteria`, given the TYPE of the table's merchant records and the run mode. */
  filters(merchantRecordType: string, mode: RunMode): readonly { readonly [field: string]: unknown }[];
}

/**
 * The stream mappings of the system, by name: what a redrive of an on-failure record needs to find the records
 * of its batch again (filters, parallelization) and to run them through the same handler. There is one: the
 * dispatcher, so that with the existing services' processor the stream has two readers, DynamoDB's limit.
 */
export const STREAM_MAPPINGS: readonly StreamMappingDefinition[] = [
  {
    name: 'dispatcher',
    handler: TOKENS.DispatcherHandler as ServiceIdentifier<StreamBatchHandler>,
    settings: DISPATCHER_STREAM_SETTINGS,
    filters: (merchantRecordType, mode) => dispatcherFilters(merchantRecordType, mode === 'event'),
  },
];
