import type { Callbacks } from '@langchain/core/callbacks/manager';
import {
  type AnalyzeOptions,
  NOOP_TELEMETRY,
  type ReceiptAnalysisInput,
  type ReceiptAnalyzer,
  type ReceiptRef,
  type Telemetry,
} from '@receipt-gate/core';
import { type AnalysisGraph, buildAnalysisGraph } from './analysis-graph.js';
import type { LlmReceiptAnalysis } from './analysis-state.js';
import { LlmAnalysisError } from './llm-analysis-error.js';
import type { AnalysisRunContext } from './model-step.js';
import { merchantRecord, promptLines } from './receipt-prompt.js';
import type { StructuredChat } from './structured-chat.js';
import { totalDropped } from './validate-proposals.js';

export interface LangGraphReceiptAnalyzerOptions {
  /** The model (an OllamaChat); it holds the configuration, which never enters the graph. */
  readonly chat: StructuredChat;
  /** Counts `LlmProposalsDropped`. */
  readonly telemetry?: Telemetry;
  /** LangChain callbacks (tracing) for every run of the graph, or made per receipt (a tracer per run). */
  readonly callbacks?: Callbacks | ((receipt: ReceiptRef) => Callbacks | undefined);
  /** Bound on one analysis from its start; the caller's `deadlineAt` wins when earlier. Unbounded if unset. */
  readonly analysisBudgetMs?: number;
}

/**
 * Proposes labels and a metadata verdict with a LangGraph graph over a chat model (see analysis-graph). The
 * graph gets the receipt's words, lines and metadata, nothing else; every reply is validated against this
 * receipt. Steps that fail cost only their own proposals; if every step fails, `analyze` throws, so the
 * configured fallback applies. Every call ends by `deadlineAt` or at the end of the analysis budget, whichever
 * comes first, so the analysis settles then (a failed step at the deadline contributes nothing); `signal` aborts
 * it.
 */
export class LangGraphReceiptAnalyzer implements ReceiptAnalyzer {
  readonly name = 'LANGGRAPH_OLLAMA';
  readonly #graph: AnalysisGraph;
  readonly #telemetry: Telemetry;
  readonly #callbacks: LangGraphReceiptAnalyzerOptions['callbacks'];
  readonly #budgetMs: number | undefined;

  constructor(options: LangGraphReceiptAnalyzerOptions) {
    this.#graph = buildAnalysisGraph(options.chat, this.name);
    this.#telemetry = options.telemetry ?? NOOP_TELEMETRY;
    this.#callbacks = options.callbacks;
    this.#budgetMs = options.analysisBudgetMs;
  }

  async analyze(input: ReceiptAnalysisInput, options: AnalyzeOptions = {}): Promise<LlmReceiptAnalysis> {
    options.signal?.throwIfAborted();
    const { imageId, receiptId } = input.receipt;
    const callbacks =
      typeof this.#callbacks === 'function' ? this.#callbacks(input.receipt) : this.#callbacks;
    const budgetEnd = this.#budgetMs === undefined ? undefined : Date.now() + this.#budgetMs;
    const deadlines = [options.deadlineAt, budgetEnd].filter((at): at is number => at !== undefined);
    const context: AnalysisRunContext = deadlines.length === 0 ? {} : { deadlineAt: Math.min(...deadlines) };
    let state: Awaited<ReturnType<AnalysisGraph['invoke']>>;
    try {
      state = await this.#graph.invoke(
        {
          lines: promptLines(input.words),
          record: input.metadata && merchantRecord(input.metadata),
        },
        {
          ...(options.signal && { signal: options.signal }),
          ...(callbacks && { callbacks }),
          runName: 'receipt_analysis',
          tags: [`image:${imageId}`, `receipt:${receiptId}`],
          metadata: { image_id: imageId, receipt_id: receiptId, analyzer: this.name },
          configurable: context,
        },
      );
    } catch (error) {
      // The caller's abort surfaces as its own reason, as the other analyzers report it.
      options.signal?.throwIfAborted();
      throw error;
    }
    const analysis = state.analysis;
    if (!analysis) throw new Error('the analysis graph ended without combining its results');
    if (analysis.steps.length > 0 && analysis.steps.every((step) => !step.ok)) {
      throw new LlmAnalysisError(analysis.steps);
    }
    this.#telemetry.metric('LlmProposalsDropped', totalDropped(analysis.dropped), 'Count');
    return analysis;
  }
}
