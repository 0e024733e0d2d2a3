import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A queue where something set aside waits for an operator: encrypted, TLS only, kept 14 days. It has no
 * dead-letter queue of its own (cdk-nag's SQS3 is acknowledged): what lands here is already set aside, an alarm
 * fires on its depth, and a queue behind it would only move the same messages again.
 */
export function setAsideQueue(scope: Construct, id: string, what: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      `This queue is itself where ${what} are set aside: what lands here waits for an operator (an alarm fires ` +
      'on its depth), and a queue behind it would only move the same messages again.',
  });
  return queue;
}
