// What the deployment (apps/infra) needs to know about the code it ships: the functions and their entry points,
// the records each stream mapping passes to its handler and how, the table the adapters expect and the metrics
// they publish. The CDK app imports these so that what it deploys cannot drift from the code.
import { fileURLToPath } from 'node:url';

export type { MetricName } from '@receipt-gate/core';
export { RECEIPT_METADATA_TYPE } from './adapters/dynamodb/receipt-metadata-item.js';
export { RECEIPT_PLACE_TYPE } from './adapters/dynamodb/receipt-place-item.js';
export { tableDefinition } from './adapters/dynamodb/table-schema.js';
export { METRICS_NAMESPACE } from './adapters/telemetry/powertools-telemetry.js';
export type { MerchantRecordFormat } from './config/app-config.js';
export {
  compactionFilters,
  dispatcherFilters,
  RUN_MODIFY_FILTER,
} from './handlers/dispatcher/dispatcher-filters.js';
export {
  type AsyncInvokeSettings,
  DISPATCHER_STREAM_SETTINGS,
  type StreamMappingSettings,
  VALIDATION_INVOKE_SETTINGS,
} from './handlers/event-source-settings.js';

/**
 * The functions: `upload` (stores a receipt; in `inline` mode validates it), `dispatcher` (the table's one stream
 * reader: compacts, and in `event` mode hands settled runs to the validation) and `validation` (`event` mode,
 * invoked asynchronously by the dispatcher).
 */
export type LambdaFunctionName = 'upload' | 'dispatcher' | 'validation';

// Bundles are built from the TypeScript sources (so source maps point at them). This module runs from `dist/`
// once built and from `src/` under the tests; `../src/entrypoints` names the same folder from both.
const entry = (name: LambdaFunctionName) =>
  fileURLToPath(new URL(`../src/entrypoints/${name}.ts`, import.meta.url));

/** Each Lambda function and the module whose `handler` export it runs. */
export const LAMBDA_FUNCTIONS: Readonly<Record<LambdaFunctionName, { readonly entry: string }>> = {
  upload: { entry: entry('upload') },
  dispatcher: { entry: entry('dispatcher') },
  validation: { entry: entry('validation') },
};
