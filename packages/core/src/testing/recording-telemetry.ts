import type { MetricName, Telemetry, TelemetryEvent } from '../ports/telemetry.js';

export interface RecordedMetric {
  readonly name: MetricName;
  readonly value: number;
  readonly unit: 'Count' | 'Milliseconds';
}

/** Telemetry that keeps everything it is told, for assertions. */
export class RecordingTelemetry implements Telemetry {
  readonly events: TelemetryEvent[] = [];
  readonly metrics: RecordedMetric[] = [];

  event(event: TelemetryEvent): void {
    this.events.push(event);
  }

  metric(name: MetricName, value: number, unit: 'Count' | 'Milliseconds'): void {
    this.metrics.push({ name, value, unit });
  }

  /** The events of one type, in order, narrowed to that type. */
  eventsOf<T extends TelemetryEvent['type']>(type: T): Extract<TelemetryEvent, { type: T }>[] {
    return this.events.filter((event): event is Extract<TelemetryEvent, { type: T }> => event.type === type);
  }

  /** The sum of every value recorded under `name` (0 when none was). */
  metricTotal(name: MetricName): number {
    return this.metrics.reduce((total, metric) => (metric.name === name ? total + metric.value : total), 0);
  }
}
