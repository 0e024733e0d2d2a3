import { WORD_LABEL_TYPE } from '../../adapters/dynamodb/word-label-item.js';

const runType = { TYPE: { S: ['COMPACTION_RUN'] } };

/**
 * The compactor's records: run INSERTs, merchant record MODIFYs (RECEIPT_PLACE, or RECEIPT_METADATA on a table
 * that has not migrated: `merchantRecordType`), label INSERTs and MODIFYs; as two patterns (INSERTs, MODIFYs), so
 * that with the settled runs of `event` mode a mapping needs five, Lambda's limit.
 */
export function compactionFilters(merchantRecordType: string) {
  return [
    { eventName: ['INSERT'], dynamodb: { NewImage: { TYPE: { S: ['COMPACTION_RUN', WORD_LABEL_TYPE] } } } },
    { eventName: ['MODIFY'], dynamodb: { NewImage: { TYPE: { S: [merchantRecordType, WORD_LABEL_TYPE] } } } },
  ];
}

/** A settled run: its MODIFY with both collections COMPLETED, or one FAILED (the validation's trigger). */
export const SETTLED_RUN_FILTERS = [
  {
    eventName: ['MODIFY'],
    dynamodb: {
      NewImage: { ...runType, lines_state: { S: ['COMPLETED'] }, words_state: { S: ['COMPLETED'] } },
    },
  },
  { eventName: ['MODIFY'], dynamodb: { NewImage: { ...runType, lines_state: { S: ['FAILED'] } } } },
  { eventName: ['MODIFY'], dynamodb: { NewImage: { ...runType, words_state: { S: ['FAILED'] } } } },
];

/**
 * Lambda `FilterCriteria` of the dispatcher's event source mapping, the table's one stream reader of ours: the
 * compactor's records and, in `event` mode, the settled runs it hands to the validation (five patterns).
 */
export function dispatcherFilters(merchantRecordType: string, dispatchesValidation: boolean) {
  return dispatchesValidation
    ? [...compactionFilters(merchantRecordType), ...SETTLED_RUN_FILTERS]
    : compactionFilters(merchantRecordType);
}
