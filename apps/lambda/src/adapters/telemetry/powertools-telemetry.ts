import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type MetricName, seedLogLine, type Telemetry, type TelemetryEvent } from '@receipt-gate/core';

/** The CloudWatch namespace of the functions' metrics; each metric has a `service` dimension (the service name). */
export const METRICS_NAMESPACE = 'ReceiptGate';

const WARNINGS = new Set<TelemetryEvent['type']>([
  'gate.read_failed',
  'validation.unguarded_write',
  'store.item_unreadable',
  'stream.record_failed',
]);

/**
 * Telemetry as structured JSON logs (the seed's message text plus the event's fields) and EMF metrics.
 * Metrics are buffered; the handler publishes them before it returns.
 */
export class PowertoolsTelemetry implements Telemetry {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  event(event: TelemetryEvent): void {
    const warn = WARNINGS.has(event.type) || (event.type === 'gate.settled' && event.outcome !== 'completed');
    const { type, ...fields } = event;
    const entry = { event: type, ...fields };
    if (warn) this.logger.warn(seedLogLine(event), entry);
    else this.logger.info(seedLogLine(event), entry);
  }

  metric(name: MetricName, value: number, unit: 'Count' | 'Milliseconds'): void {
    this.metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value);
  }
}
