import type { ReceiptAnalyzer, Telemetry } from '@receipt-gate/core';
import { LangGraphReceiptAnalyzer } from './langgraph-receipt-analyzer.js';
import { OllamaChat } from './ollama-chat.js';
import type { OllamaConfig } from './ollama-config.js';
import { createLangSmithTracing } from './tracing/langsmith-tracing.js';
import type { TracingConfig } from './tracing/tracing-config.js';

/** The LLM analyzer and what must be flushed before a handler returns. */
export interface LlmRuntime {
  readonly analyzer: ReceiptAnalyzer;
  flush(): Promise<void>;
}

/**
 * Builds the LangGraph analyzer on Ollama with LangSmith tracing (when configured). Loaded only where the LLM
 * analyzer is used: LangGraph and LangChain add to cold start.
 */
export function createLlmRuntime(
  ollama: OllamaConfig,
  tracingConfig: TracingConfig,
  telemetry: Telemetry,
): LlmRuntime {
  const tracing = createLangSmithTracing(tracingConfig, { redact: (text) => ollama.redact(text) });
  const analyzer = new LangGraphReceiptAnalyzer({
    chat: new OllamaChat(ollama, { telemetry }),
    telemetry,
    callbacks: (receipt) => tracing.runConfig(receipt).callbacks,
    analysisBudgetMs: ollama.analysisBudgetMs,
  });
  return {
    analyzer,
    flush: async () => {
      await tracing.flush();
    },
  };
}
