import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterStore } from '../../handlers/dispatcher/dead-letters.js';

/** SendMessageBatch takes at most ten messages. */
const MESSAGES_PER_BATCH = 10;

/**
 * Dead letters as messages of an SQS queue (the dispatcher's dead-letter queue), one JSON document each, for an
 * operator to inspect and redrive. Resolves only once every message is accepted; a partial failure rejects, so
 * the records are delivered again rather than acknowledged unrecorded.
 */
export class SqsDeadLetterStore implements DeadLetterStore {
  constructor(
    private readonly client: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
  ) {}

  async put(letters: readonly DeadLetter[]): Promise<void> {
    for (let start = 0; start < letters.length; start += MESSAGES_PER_BATCH) {
      const batch = letters.slice(start, start + MESSAGES_PER_BATCH);
      const response = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((letter, i) => ({ Id: String(i), MessageBody: JSON.stringify(letter) })),
        }),
      );
      const failed = response.Failed ?? [];
      if (failed.length > 0) {
        throw new Error(
          `the dead-letter queue refused ${failed.length} of ${batch.length} messages (${failed.map((entry) => entry.Code).join(', ')})`,
        );
      }
    }
  }
}
