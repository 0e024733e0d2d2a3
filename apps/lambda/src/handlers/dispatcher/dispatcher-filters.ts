import { WORD_LABEL_TYPE } from '../../adapters/dynamodb/word-label-item.js';

const runType = { TYPE: { S: ['COMPACTION_RUN'] } };

/**
 * The compactor's records: run INSERTs, label INSERTs, MODIFYs and REMOVEs, merchant record MODIFYs and REMOVEs
 * (RECEIPT_PLACE, or RECEIPT_METADATA on a table that has not migrated: `merchantRecordType`), by event: three
 * patterns. A REMOVE has only its old image.
 */
export function compactionFilters(merchantRecordType: string) {
  return [
    { eventName: ['INSERT'], dynamodb: { NewImage: { TYPE: { S: ['COMPACTION_RUN', WORD_LABEL_TYPE] } } } },
    { eventName: ['MODIFY'], dynamodb: { NewImage: { TYPE: { S: [merchantRecordType, WORD_LABEL_TYPE] } } } },
    { eventName: ['REMOVE'], dynamodb: { OldImage: { TYPE: { S: [merchantRecordType, WORD_LABEL_TYPE] } } } },
  ];
}

/**
 * Every run MODIFY, of which the dispatcher hands the settled ones (both collections COMPLETED, or one FAILED) to
 * the validation. One pattern: "both COMPLETED or either FAILED" needs three, and a mapping takes five at most.
 */
export const RUN_MODIFY_FILTER = { eventName: ['MODIFY'], dynamodb: { NewImage: runType } };

/**
 * Lambda `FilterCriteria` of the dispatcher's event source mapping, the table's one stream reader of ours: the
 * compactor's records and, in `event` mode, the run MODIFYs it hands to the validation when settled.
 */
export function dispatcherFilters(merchantRecordType: string, dispatchesValidation: boolean) {
  return dispatchesValidation
    ? [...compactionFilters(merchantRecordType), RUN_MODIFY_FILTER]
    : compactionFilters(merchantRecordType);
}
