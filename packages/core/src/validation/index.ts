export {
  DEFAULT_OUTCOME_POLICY,
  type OutcomeAction,
  type OutcomePolicy,
  resolveOutcomePolicy,
} from './outcome-policy.js';
export { proposalsToLabels } from './proposals-to-labels.js';
export {
  type ValidateReceiptDeps,
  type ValidateReceiptRequest,
  validateReceipt,
} from './validate-receipt.js';
export type {
  AbortRecord,
  MetadataChange,
  RejectedCorrection,
  RejectedProposal,
  ValidationReport,
  WriteDecision,
} from './validation-report.js';
