import type { CompactionRunKey } from '@receipt-gate/core';
import type { DeadLetter, DeadLetterStore } from '../handlers/dispatcher/dead-letters.js';
import type { RunCompletionDispatch } from '../handlers/dispatcher/run-completion-dispatch.js';

/** Builds a value on first use, once; a failed build is not kept, so the next use tries again. */
class Lazy<T> {
  #value: Promise<T> | undefined;

  constructor(private readonly create: () => Promise<T>) {}

  load(): Promise<T> {
    this.#value ??= this.create().catch((error: unknown) => {
      this.#value = undefined;
      throw error;
    });
    return this.#value;
  }
}

/**
 * The SQS dead-letter store, its client loaded on the first dead letter: poison records are rare, and neither
 * the upload nor the validation bundle should pay for the SQS client at init.
 */
export class LazyDeadLetterStore implements DeadLetterStore {
  readonly #store: Lazy<DeadLetterStore>;

  constructor(region: string, queueUrl: string) {
    this.#store = new Lazy(async () => {
      const [{ SQSClient }, { SqsDeadLetterStore }] = await Promise.all([
        import('@aws-sdk/client-sqs'),
        import('../adapters/sqs/sqs-dead-letter-store.js'),
      ]);
      return new SqsDeadLetterStore(new SQSClient({ region }), queueUrl);
    });
  }

  load(): Promise<DeadLetterStore> {
    return this.#store.load();
  }

  async put(letters: readonly DeadLetter[]): Promise<void> {
    return (await this.load()).put(letters);
  }
}

/** The asynchronous invocation of the validation function, its Lambda client loaded on the first settled run. */
export class LazyRunCompletionDispatch implements RunCompletionDispatch {
  readonly #dispatch: Lazy<RunCompletionDispatch>;

  constructor(region: string, functionName: string) {
    this.#dispatch = new Lazy(async () => {
      const [{ LambdaClient }, { LambdaValidationDispatch }] = await Promise.all([
        import('@aws-sdk/client-lambda'),
        import('../adapters/lambda/lambda-validation-dispatch.js'),
      ]);
      return new LambdaValidationDispatch(new LambdaClient({ region }), functionName);
    });
  }

  load(): Promise<RunCompletionDispatch> {
    return this.#dispatch.load();
  }

  async dispatch(run: CompactionRunKey): Promise<void> {
    return (await this.load()).dispatch(run);
  }
}
