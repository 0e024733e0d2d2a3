export { CompactionNotCompletedError } from './compaction-not-completed-error.js';
export { CompactionRunExistsError } from './compaction-run-exists-error.js';
export { GateOutcomeError } from './gate-outcome-error.js';
export { InvalidValueError } from './invalid-value-error.js';
export { ReceiptVersionRefusedError } from './receipt-version-refused-error.js';
export { TransientStoreError } from './transient-store-error.js';
export { UploadNotStoredError } from './upload-not-stored-error.js';
export { ValidationAbortedError } from './validation-aborted-error.js';
