import type { AnalyzerConfig } from '../../config/app-config.js';
import { type RedactText, textRedactor } from './text-redactor.js';

/** Redacts every key the configuration holds (the LangSmith key, and the Ollama key through its config). */
export function configuredRedactor(analyzer: AnalyzerConfig): RedactText {
  const { ollama, tracing } = analyzer;
  return textRedactor(tracing.enabled ? [tracing.apiKey] : [], ollama && ((text) => ollama.redact(text)));
}
