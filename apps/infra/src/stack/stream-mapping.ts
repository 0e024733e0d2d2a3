import type { StreamMappingSettings } from '@receipt-gate/lambda/deployment';
import { Duration } from 'aws-cdk-lib';
import { EventSourceMapping, type StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { setAsideQueue } from './queues.js';
import type { ReceiptGateFunction } from './receipt-gate-function.js';
import { streamReadStatement } from './table-access.js';

export interface StreamMappingProps {
  readonly target: ReceiptGateFunction;
  readonly streamArn: string;
  readonly startingPosition: StartingPosition;
  /** The handler's `FilterCriteria` patterns: only the records it acts on are delivered (and billed). */
  readonly filters: readonly object[];
  /** The settings the local stream pump uses too. */
  readonly settings: StreamMappingSettings;
}

/**
 * An event source mapping of the table's stream onto one function, with its on-failure destination: a queue that
 * receives a description of every batch given up on (retries or record age exhausted), for an operator to redrive.
 */
export class StreamMapping extends Construct {
  readonly mapping: EventSourceMapping;
  readonly onFailure: Queue;
  readonly target: ReceiptGateFunction;

  constructor(scope: Construct, id: string, props: StreamMappingProps) {
    super(scope, id);
    const { settings, target } = props;
    this.target = target;
    this.onFailure = setAsideQueue(this, 'OnFailure', 'the batches a stream mapping gave up on');
    target.role.addToPolicy(streamReadStatement(props.streamArn));
    this.mapping = new EventSourceMapping(this, 'Mapping', {
      target: target.function,
      eventSourceArn: props.streamArn,
      startingPosition: props.startingPosition,
      batchSize: settings.batchSize,
      parallelizationFactor: settings.parallelizationFactor,
      maxBatchingWindow: Duration.seconds(settings.maximumBatchingWindowInSeconds),
      retryAttempts: settings.maximumRetryAttempts,
      maxRecordAge: Duration.seconds(settings.maximumRecordAgeInSeconds),
      bisectBatchOnError: settings.bisectBatchOnFunctionError,
      reportBatchItemFailures: settings.reportBatchItemFailures,
      onFailure: new SqsDlq(this.onFailure),
      filters: props.filters.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
    });
    // Lambda checks the role's stream permissions when the mapping is created: the policy must exist first.
    this.mapping.node.addDependency(target.role);
  }
}
