/** An upload refused before any write because of what the receipt holds; `problems` says what, item by item. */
export class ReceiptVersionRefusedError extends Error {
  override readonly name = 'ReceiptVersionRefusedError';

  constructor(readonly problems: readonly string[]) {
    super(`the upload was refused, nothing was written: ${problems.join('; ')}`);
  }
}
