import type {
  AnalyzeOptions,
  ReceiptAnalysis,
  ReceiptAnalysisInput,
  ReceiptAnalyzer,
  Telemetry,
} from '@receipt-gate/core';
import type { LlmRuntime } from './llm-runtime.js';
import type { OllamaConfig } from './ollama-config.js';
import type { TracingConfig } from './tracing/tracing-config.js';

/**
 * The LLM analyzer, imported on first use, so a handler that never analyses (the compactor) or uses the offline
 * analyzer does not pay LangGraph's load time. `flush` is a no-op until it has been loaded.
 */
export class LazyLlmAnalyzer implements ReceiptAnalyzer {
  readonly name = 'LANGGRAPH_OLLAMA';
  #runtime: Promise<LlmRuntime> | undefined;

  constructor(
    private readonly ollama: OllamaConfig,
    private readonly tracing: TracingConfig,
    private readonly telemetry: Telemetry,
  ) {}

  async analyze(input: ReceiptAnalysisInput, options?: AnalyzeOptions): Promise<ReceiptAnalysis> {
    this.#runtime ??= import('./llm-runtime.js').then((module) =>
      module.createLlmRuntime(this.ollama, this.tracing, this.telemetry),
    );
    return (await this.#runtime).analyzer.analyze(input, options);
  }

  async flush(): Promise<void> {
    if (this.#runtime) await (await this.#runtime).flush();
  }
}
