/**
 * Why a model call failed. `http` (429, 5xx), `network` and `timeout` are transient and retried; the others
 * are not: a 4xx will fail again, an answer that is not JSON or not of the schema is the model's, and past the
 * deadline there is no time to try again.
 */
export type LlmCallFailure =
  | 'http'
  | 'network'
  | 'timeout'
  | 'deadline'
  | 'malformed_reply'
  | 'invalid_reply';

/** A failed model call. Its message is built from redacted text only; it carries no cause that could hold a key. */
export class LlmCallError extends Error {
  override readonly name = 'LlmCallError';

  constructor(
    readonly failure: LlmCallFailure,
    message: string,
    readonly transient: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}
