import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { ServiceIdentifier } from 'inversify';
import type { RunMode } from '../config/app-config.js';
import { TOKENS } from '../container/tokens.js';
import { compactionFilters } from './compaction-handler.js';
import {
  COMPACTION_STREAM_SETTINGS,
  type StreamMappingSettings,
  VALIDATION_STREAM_SETTINGS,
} from './event-source-settings.js';
import { VALIDATION_FILTERS } from './validation-handler.js';

/** A handler of the table's stream, as Lambda invokes it. */
export type StreamBatchHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse>;

/** One event source mapping on the table's stream: its name, its handler in the container, how it is fed. */
export interface StreamMappingDefinition {
  /** The function's name (`compaction`), as the local stream pump and the deployed function are named. */
  readonly name: string;
  readonly handler: ServiceIdentifier<StreamBatchHandler>;
  readonly settings: StreamMappingSettings;
  /** Its `FilterCriteria`, given the TYPE of the table's merchant records. */
  filters(merchantRecordType: string): readonly { readonly [field: string]: unknown }[];
  /** The modes in which it exists. */
  readonly modes: readonly RunMode[];
}

/**
 * The stream mappings of the system, by name: what a redrive of an on-failure record needs to find the records
 * of its batch again (filters, parallelization) and to run them through the same handler.
 */
export const STREAM_MAPPINGS: readonly StreamMappingDefinition[] = [
  {
    name: 'compaction',
    handler: TOKENS.CompactionHandler,
    settings: COMPACTION_STREAM_SETTINGS,
    filters: compactionFilters,
    modes: ['inline', 'event'],
  },
  {
    name: 'validation',
    handler: TOKENS.ValidationHandler,
    settings: VALIDATION_STREAM_SETTINGS,
    filters: () => VALIDATION_FILTERS,
    modes: ['event'],
  },
];
