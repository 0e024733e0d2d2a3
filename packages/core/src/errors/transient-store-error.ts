/**
 * A failure that may succeed if tried again (throttling, 5xx, network, timeout). Adapters wrap such failures
 * in this class; any other error a port throws is permanent.
 */
export class TransientStoreError extends Error {
  override readonly name = 'TransientStoreError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
