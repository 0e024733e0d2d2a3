/** Raised by the validating constructors and parsers when input does not fit the data model. */
export class InvalidValueError extends Error {
  override readonly name = 'InvalidValueError';

  constructor(
    /** The field (or entity) that was rejected, e.g. `image_id` or `RECEIPT_WORD_LABEL.word_id`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
