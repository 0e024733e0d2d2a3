import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { parseStreamFailureRecord } from '@receipt-gate/local-runtime';
import type { FailureEntry, FailureSource } from './failure-source.js';

interface QueueEntry extends FailureEntry {
  readonly receiptHandle: string;
}

export interface SqsFailureSourceOptions {
  /** How long received messages stay hidden from other consumers while the redrive works on them. */
  readonly visibilityTimeoutSeconds: number;
  /** At most this many messages in one redrive. */
  readonly maxMessages: number;
}

/**
 * A stream mapping's SQS on-failure destination: each message's body is an invocation record. Messages are
 * received (hidden for the visibility timeout) until the queue returns no more; a redriven one is deleted, any
 * other made visible again at once.
 */
export class SqsFailureSource implements FailureSource {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
    private readonly options: SqsFailureSourceOptions,
  ) {}

  async list(): Promise<QueueEntry[]> {
    const entries: QueueEntry[] = [];
    const seen = new Set<string>();
    while (entries.length < this.options.maxMessages) {
      const { Messages: messages = [] } = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(10, this.options.maxMessages - entries.length),
          VisibilityTimeout: this.options.visibilityTimeoutSeconds,
          WaitTimeSeconds: 1,
        }),
      );
      const fresh = messages.filter((message) => message.MessageId && !seen.has(message.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        const id = message.MessageId ?? '';
        seen.add(id);
        entries.push({
          id,
          receiptHandle: message.ReceiptHandle ?? '',
          record: parseStreamFailureRecord(message.Body ?? '', `message ${id}`),
        });
      }
    }
    return entries;
  }

  async remove(entries: readonly FailureEntry[]): Promise<void> {
    for (const entry of entries as readonly QueueEntry[]) {
      await this.client.send(
        new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: entry.receiptHandle }),
      );
    }
  }

  async release(entries: readonly FailureEntry[]): Promise<void> {
    for (const entry of entries as readonly QueueEntry[]) {
      await this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.queueUrl,
          ReceiptHandle: entry.receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
  }
}
