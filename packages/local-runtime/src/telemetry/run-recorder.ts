import type { GateOutcome, MetricName, Telemetry, TelemetryEvent } from '@receipt-gate/core';

export interface RunRecord {
  gate?: { outcome: GateOutcome; waitedMs: number; polls: number };
  validations: number;
  labelsWritten: number;
  metadataCorrected: boolean;
  unguarded: boolean;
  metadataPatches: number;
}

const receiptKey = (receipt: { imageId: string; receiptId: number }) =>
  `${receipt.imageId}/${receipt.receiptId}`;

/** Telemetry that remembers what happened to each receipt (for the demo's summary and checks) and passes it on. */
export class RunRecorder implements Telemetry {
  readonly #records = new Map<string, RunRecord>();

  constructor(private readonly next?: Telemetry) {}

  record(receipt: { imageId: string; receiptId: number }): RunRecord {
    const key = receiptKey(receipt);
    let record = this.#records.get(key);
    if (!record) {
      record = {
        validations: 0,
        labelsWritten: 0,
        metadataCorrected: false,
        unguarded: false,
        metadataPatches: 0,
      };
      this.#records.set(key, record);
    }
    return record;
  }

  event(event: TelemetryEvent): void {
    const receipt = 'run' in event ? event.run : event.receipt;
    if (!receipt) {
      this.next?.event(event);
      return;
    }
    const record = this.record(receipt);
    switch (event.type) {
      case 'gate.settled':
        record.gate = { outcome: event.outcome, waitedMs: event.waitedMs, polls: event.polls };
        break;
      case 'validation.unguarded_write':
        record.unguarded = true;
        break;
      case 'validation.completed':
        record.validations++;
        record.labelsWritten += event.labelsWritten;
        record.metadataCorrected ||= event.metadataCorrected;
        break;
      case 'compaction.snapshot_patched':
        if (event.change === 'metadata') record.metadataPatches++;
        break;
    }
    this.next?.event(event);
  }

  metric(name: MetricName, value: number, unit: 'Count' | 'Milliseconds'): void {
    this.next?.metric(name, value, unit);
  }
}
