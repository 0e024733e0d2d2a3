import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsTelemetry } from './powertools-telemetry.js';

const run = { imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', receiptId: 1, runId: 'r' };

function captureOutput() {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  }
  return () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('PowertoolsTelemetry', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('logs events as structured JSON in the seed vocabulary, warnings for a wait that did not complete', () => {
    const output = captureOutput();
    const telemetry = new PowertoolsTelemetry(
      new Logger({ serviceName: 'test' }),
      new Metrics({ namespace: 'T' }),
    );
    telemetry.event({ type: 'gate.settled', run, outcome: 'completed', waitedMs: 35_000, polls: 18 });
    telemetry.event({ type: 'gate.settled', run, outcome: 'timed_out', waitedMs: 120_000, polls: 61 });
    const [completed, timedOut] = output();
    expect(completed).toMatchObject({
      level: 'INFO',
      message: '✅ Compaction completed (waited 35s)',
      event: 'gate.settled',
      outcome: 'completed',
      polls: 18,
      run,
    });
    expect(timedOut).toMatchObject({ level: 'WARN', message: '⚠️ Timeout waiting for compaction after 120s' });
  });

  it('buffers metrics until they are published as EMF', () => {
    const output = captureOutput();
    const metrics = new Metrics({ namespace: 'ReceiptGate', serviceName: 'test' });
    const telemetry = new PowertoolsTelemetry(new Logger({ serviceName: 'test' }), metrics);
    telemetry.metric('GateReads', 18, 'Count');
    telemetry.metric('GateWaitMs', 35_000, 'Milliseconds');
    expect(output()).toEqual([]);
    metrics.publishStoredMetrics();
    const [emf] = output();
    expect(emf).toMatchObject({ GateReads: 18, GateWaitMs: 35_000 });
    expect(JSON.stringify(emf?._aws)).toContain('"Unit":"Milliseconds"');
  });
});
