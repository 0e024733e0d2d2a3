import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canaryHits } from '../../../test/canary.js';
import { REDACTED, textRedactor } from '../secrets/text-redactor.js';
import { PowertoolsTelemetry } from './powertools-telemetry.js';
import { redactingJsonReplacer } from './redacting-json-replacer.js';

const KEY = 'ollama-sk-7d2e9b4a1c6f8e3d5b0a2c4e6f8a1b3d';
const run = { imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', receiptId: 1, runId: 'r' };

function captureStdout() {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
  }
  return lines;
}

describe('redactingJsonReplacer on the Powertools logger', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const logger = (redact = textRedactor([KEY])) =>
    new Logger({ serviceName: 'test', jsonReplacerFn: redactingJsonReplacer(redact) });

  it('scrubs the message, every field, keys, and errors with their causes from what telemetry logs', () => {
    const lines = captureStdout();
    const telemetry = new PowertoolsTelemetry(logger(), new Metrics({ namespace: 'T' }));
    telemetry.event({ type: 'gate.read_failed', run, error: `throttled for ${KEY.slice(-8)}`, polls: 2 });
    logger().error(`reply echoed ${Buffer.from(KEY).toString('base64')}`, {
      [`field-${KEY}`]: { nested: [`Bearer ${KEY}`] },
      error: new Error(`HTTP 401: ${KEY}`, { cause: new Error(`key ${encodeURIComponent(KEY)}`) }),
    });
    expect(lines).toHaveLength(2);
    expect(
      canaryHits(
        { KEY },
        lines.map((text) => ({ source: 'stdout', text })),
      ),
    ).toEqual([]);
    const [event, error] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(event).toMatchObject({
      level: 'WARN',
      event: 'gate.read_failed',
      error: `throttled for ${REDACTED}`,
      run,
    });
    expect(error).toMatchObject({
      message: `reply echoed ${REDACTED}`,
      [`field-${REDACTED}`]: { nested: [`Bearer ${REDACTED}`] },
      error: { message: `HTTP 401: ${REDACTED}` },
    });
    expect(JSON.stringify(error)).toContain(`key ${REDACTED}`);
  });

  it('prints clean entries as they are', () => {
    const lines = captureStdout();
    logger().info('✅ Compaction completed', { run, polls: 3, big: 10n });
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      message: '✅ Compaction completed',
      run,
      polls: 3,
      big: '10',
    });
  });

  it('is what keeps the key out: the same entry through a logger without it leaks', () => {
    const lines = captureStdout();
    new Logger({ serviceName: 'test' }).info('echo', { detail: `key ${KEY.slice(-8)}` });
    expect(
      canaryHits(
        { KEY },
        lines.map((text) => ({ source: 'stdout', text })),
      ),
    ).not.toEqual([]);
  });
});
