import { describe, expect, it } from 'vitest';
import type { ReceiptAnalysis, ReceiptAnalyzer } from '../ports/receipt-analyzer.js';
import { RecordingTelemetry } from '../testing/recording-telemetry.js';
import { FallbackReceiptAnalyzer } from './fallback-receipt-analyzer.js';

const receipt = { imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', receiptId: 1 };
const input = { receipt, lines: [], words: [] };
const answering = (name: string): ReceiptAnalyzer => ({
  name,
  analyze: async (): Promise<ReceiptAnalysis> => ({ analyzer: name, proposals: [] }),
});
const failing = (name: string, error: Error): ReceiptAnalyzer => ({
  name,
  analyze: async () => {
    throw error;
  },
});

describe('FallbackReceiptAnalyzer', () => {
  it('uses the primary when it answers', async () => {
    const analyzer = new FallbackReceiptAnalyzer(answering('LLM'), answering('OFFLINE'));
    expect((await analyzer.analyze(input)).analyzer).toBe('LLM');
  });

  it('falls back when the primary fails, names the analyzer that answered, and reports it', async () => {
    const telemetry = new RecordingTelemetry();
    const analyzer = new FallbackReceiptAnalyzer(
      failing('LLM', new Error('model down')),
      answering('OFFLINE'),
      telemetry,
    );
    expect((await analyzer.analyze(input)).analyzer).toBe('OFFLINE');
    expect(telemetry.eventsOf('analysis.fallback')).toEqual([
      { type: 'analysis.fallback', receipt, from: 'LLM', to: 'OFFLINE', reason: 'model down' },
    ]);
    expect(telemetry.metricTotal('AnalyzerFallbacks')).toBe(1);
  });

  it('rethrows an abort instead of falling back', async () => {
    const controller = new AbortController();
    const abort = new Error('aborted');
    controller.abort(abort);
    const analyzer = new FallbackReceiptAnalyzer(failing('LLM', abort), answering('OFFLINE'));
    await expect(analyzer.analyze(input, { signal: controller.signal })).rejects.toBe(abort);
  });
});
