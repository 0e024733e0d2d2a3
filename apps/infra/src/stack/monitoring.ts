import { METRICS_NAMESPACE, type MetricName } from '@receipt-gate/lambda/deployment';
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ReceiptGateFunction } from './receipt-gate-function.js';
import type { StreamMapping } from './stream-mapping.js';

/** A stream mapping's oldest unprocessed record older than this means its shard is stuck or far behind. */
export const ITERATOR_AGE_THRESHOLD = Duration.minutes(5);

/** The gate outcomes, in the dashboard's order. */
const GATE_OUTCOMES: readonly MetricName[] = [
  'GateOutcomeCompleted',
  'GateOutcomeFailed',
  'GateOutcomeTimedOut',
  'GateOutcomeNotFound',
  'GateOutcomeAborted',
];

/** Application metrics that must stay at zero: labels written without the compaction's guarantee, and why. */
export const ALARMED_METRICS: readonly MetricName[] = ['GateOutcomeTimedOut', 'UnguardedLabelWrites'];

export interface MonitoringProps {
  readonly serviceName: string;
  readonly functions: Readonly<Record<string, ReceiptGateFunction>>;
  readonly streams: Readonly<Record<string, StreamMapping>>;
  /** Other queues where things are set aside (dead letters, failed validations): any message alarms. */
  readonly queues: Readonly<Record<string, { readonly queue: IQueue; readonly description: string }>>;
  readonly alarmTopicArn?: string;
}

const PERIOD = Duration.minutes(5);

/**
 * Alarms on what means records are late or set aside, or labels unguarded — iterator age per mapping, depth of each
 * on-failure and dead-letter queue, errors per function, timed-out gates and unguarded label writes — and one
 * dashboard (with the changes deferred to the next merge and the records dead-lettered).
 */
export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const topic = props.alarmTopicArn
      ? Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)
      : undefined;
    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        // No data is a quiet system: no records, no invocations, no gate outcomes.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (topic) created.addAlarmAction(new SnsAction(topic));
      this.alarms.push(created);
      return created;
    };
    const appMetric = (metricName: MetricName) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: props.serviceName },
        statistic: 'Sum',
        period: PERIOD,
      });

    for (const [name, stream] of Object.entries(props.streams)) {
      alarm(
        `${name}IteratorAge`,
        stream.target.function.metric('IteratorAge', { statistic: 'Maximum', period: PERIOD }),
        ITERATOR_AGE_THRESHOLD.toMilliseconds(),
        `The ${name} stream mapping is more than ${ITERATOR_AGE_THRESHOLD.toMinutes()} minutes behind the table.`,
      );
      alarm(
        `${name}OnFailureDepth`,
        stream.onFailure.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD }),
        0,
        `The ${name} stream mapping gave up on records: they wait in its on-failure queue to be redriven.`,
      );
    }
    for (const [name, { queue, description }] of Object.entries(props.queues)) {
      alarm(
        `${name}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD }),
        0,
        description,
      );
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(
        `${name}Errors`,
        fn.function.metricErrors({ statistic: 'Sum', period: PERIOD }),
        0,
        `The ${name} function failed invocations (crashes, timeouts, refused events).`,
      );
    }
    alarm(
      'GateTimedOut',
      appMetric('GateOutcomeTimedOut'),
      0,
      'A validation gave up waiting for its compaction (its labels were written unguarded or skipped, by policy).',
    );
    alarm(
      'UnguardedLabelWrites',
      appMetric('UnguardedLabelWrites'),
      0,
      'Labels were written without the compaction having completed: they may be missing from the embeddings.',
    );

    const perFunction = (metric: (fn: ReceiptGateFunction) => IMetric) =>
      Object.values(props.functions).map(metric);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${props.serviceName}-operations`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Stream iterator age (max, ms)',
        left: Object.values(props.streams).map((stream) =>
          stream.target.function.metric('IteratorAge', { statistic: 'Maximum', period: PERIOD }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Set aside (on-failure and dead-letter queues)',
        left: [
          ...Object.values(props.streams).map((stream) => stream.onFailure),
          ...Object.values(props.queues).map(({ queue }) => queue),
        ].map((queue) =>
          queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: PERIOD }),
        ),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Invocations and errors',
        left: perFunction((fn) => fn.function.metricInvocations({ period: PERIOD })),
        right: perFunction((fn) => fn.function.metricErrors({ period: PERIOD })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Duration (p99, ms)',
        left: perFunction((fn) => fn.function.metricDuration({ statistic: 'p99', period: PERIOD })),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Gate outcomes',
        left: GATE_OUTCOMES.map(appMetric),
        stacked: true,
        width: 12,
      }),
      new GraphWidget({
        title: 'Labels',
        left: (['LabelsWritten', 'LabelsFrozen'] as const).map(appMetric),
        right: [appMetric('UnguardedLabelWrites')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Stream records: deferred to the next merge, retried, dead-lettered',
        left: (
          ['CompactionChangesDeferred', 'StreamRecordsRetried', 'StreamRecordsDeadLettered'] as const
        ).map(appMetric),
        right: [appMetric('ValidationsDispatched')],
        width: 24,
      }),
    );
  }
}
