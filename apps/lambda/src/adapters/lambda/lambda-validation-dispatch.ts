import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { CompactionRunKey } from '@receipt-gate/core';
import {
  type RunCompletionDispatch,
  validationRequestOf,
} from '../../handlers/dispatcher/run-completion-dispatch.js';

/**
 * Hands a settled run to the validation function as an asynchronous invocation (`InvocationType: Event`): Lambda
 * queues it, retries a failed invocation and sends one that keeps failing to the function's on-failure
 * destination. Resolves once Lambda has accepted the event (202); a refusal or a throttle rejects, and the stream
 * record is delivered again.
 */
export class LambdaValidationDispatch implements RunCompletionDispatch {
  constructor(
    private readonly client: Pick<LambdaClient, 'send'>,
    private readonly functionName: string,
  ) {}

  async dispatch(run: CompactionRunKey): Promise<void> {
    const response = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(validationRequestOf(run))),
      }),
    );
    if (response.StatusCode !== 202) {
      throw new Error(
        `the validation function did not accept the asynchronous invocation (status ${response.StatusCode})`,
      );
    }
  }
}
