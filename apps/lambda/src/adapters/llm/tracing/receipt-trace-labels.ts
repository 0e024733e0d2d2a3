import type { ReceiptRef } from '@receipt-gate/core';

/** Tags and metadata that find one receipt's runs in LangSmith; LangChain passes both down to every child run. */
export function receiptTraceLabels(receipt: ReceiptRef) {
  return {
    tags: [`image:${receipt.imageId}`, `receipt:${receipt.receiptId}`],
    metadata: { image_id: receipt.imageId, receipt_id: receipt.receiptId },
  };
}
