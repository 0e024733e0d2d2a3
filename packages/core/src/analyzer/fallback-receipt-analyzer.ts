import type {
  AnalyzeOptions,
  ReceiptAnalysis,
  ReceiptAnalysisInput,
  ReceiptAnalyzer,
} from '../ports/receipt-analyzer.js';
import type { Telemetry } from '../ports/telemetry.js';
import { NOOP_TELEMETRY } from '../telemetry/noop-telemetry.js';

/**
 * Uses `primary` and, when it fails entirely, `fallback`; the analysis names the analyzer that produced it, so
 * labels record who proposed them. An abort is not a failure of the primary: it is rethrown, not masked.
 */
export class FallbackReceiptAnalyzer implements ReceiptAnalyzer {
  readonly name: string;

  constructor(
    private readonly primary: ReceiptAnalyzer,
    private readonly fallback: ReceiptAnalyzer,
    private readonly telemetry: Telemetry = NOOP_TELEMETRY,
  ) {
    this.name = `${primary.name}|${fallback.name}`;
  }

  async analyze(input: ReceiptAnalysisInput, options: AnalyzeOptions = {}): Promise<ReceiptAnalysis> {
    try {
      return await this.primary.analyze(input, options);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.telemetry.event({
        type: 'analysis.fallback',
        receipt: input.receipt,
        from: this.primary.name,
        to: this.fallback.name,
        reason,
      });
      this.telemetry.metric('AnalyzerFallbacks', 1, 'Count');
      return this.fallback.analyze(input, options);
    }
  }
}
