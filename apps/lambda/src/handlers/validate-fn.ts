import type { ValidateReceiptRequest, ValidationReport } from '@receipt-gate/core';

/** `validateReceipt` with its dependencies bound. */
export type ValidateFn = (request: ValidateReceiptRequest) => Promise<ValidationReport>;
