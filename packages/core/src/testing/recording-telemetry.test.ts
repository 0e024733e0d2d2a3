import { describe, expect, it } from 'vitest';
import { RecordingTelemetry } from './recording-telemetry.js';

const run = { imageId: '3f1c2b4a-5d6e-4f70-8a91-b2c3d4e5f607', receiptId: 1, runId: 'r' };

describe('RecordingTelemetry', () => {
  it('records events in order and filters them by type', () => {
    const telemetry = new RecordingTelemetry();
    telemetry.event({ type: 'gate.waiting', run, deadlineInMs: 1000 });
    telemetry.event({ type: 'gate.settled', run, outcome: 'completed', waitedMs: 10, polls: 2 });
    telemetry.event({ type: 'gate.waiting', run, deadlineInMs: 500 });
    expect(telemetry.events.map((event) => event.type)).toEqual([
      'gate.waiting',
      'gate.settled',
      'gate.waiting',
    ]);
    expect(telemetry.eventsOf('gate.waiting').map((event) => event.deadlineInMs)).toEqual([1000, 500]);
    expect(telemetry.eventsOf('validation.completed')).toEqual([]);
  });

  it('records metrics and totals them by name', () => {
    const telemetry = new RecordingTelemetry();
    telemetry.metric('LabelsWritten', 3, 'Count');
    telemetry.metric('GateWaitMs', 2000, 'Milliseconds');
    telemetry.metric('LabelsWritten', 4, 'Count');
    expect(telemetry.metrics).toEqual([
      { name: 'LabelsWritten', value: 3, unit: 'Count' },
      { name: 'GateWaitMs', value: 2000, unit: 'Milliseconds' },
      { name: 'LabelsWritten', value: 4, unit: 'Count' },
    ]);
    expect(telemetry.metricTotal('LabelsWritten')).toBe(7);
    expect(telemetry.metricTotal('LabelsFrozen')).toBe(0);
  });
});
