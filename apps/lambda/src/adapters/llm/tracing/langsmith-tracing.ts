import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';
import type { RunnableConfig } from '@langchain/core/runnables';
import { LangChainTracer } from '@langchain/core/tracers/tracer_langchain';
import type { ReceiptRef } from '@receipt-gate/core';
import { Client } from 'langsmith';
import { redactingFetch } from '../../secrets/redacting-fetch.js';
import { valueRedactor } from '../../secrets/secret-redactor.js';
import { textRedactor } from '../../secrets/text-redactor.js';
import { receiptTraceLabels } from './receipt-trace-labels.js';
import type { TracingConfig } from './tracing-config.js';

/** `flushed`: nothing traced is left pending (the client logs a batch LangSmith refused). */
export type FlushOutcome = 'flushed' | 'timed_out' | 'failed' | 'disabled';

/** The part of `graph.invoke`'s config that traces one receipt's run. */
export type ReceiptRunConfig = Required<Pick<RunnableConfig, 'tags' | 'metadata'>> &
  Pick<RunnableConfig, 'callbacks'>;

export interface LangSmithTracing {
  readonly enabled: boolean;
  /** Pass to `graph.invoke(input, config)`: our tracer (none when tracing is off) and the receipt's tags. */
  runConfig(receipt: ReceiptRef): ReceiptRunConfig;
  /**
   * Sends everything traced so far. Await it before the handler returns, since Lambda freezes whatever is left.
   * Never throws, and gives up after the flush timeout so a dead LangSmith cannot hold the handler.
   */
  flush(): Promise<FlushOutcome>;
}

export interface LangSmithTracingOptions {
  /** Other secrets (the Ollama key) to scrub from anything sent to LangSmith, wherever they turn up. */
  readonly secrets?: readonly (string | undefined)[];
  /** Scrubs secrets whose value is not at hand (the Ollama config redacts its own key). */
  readonly redact?: (text: string) => string;
  readonly flushTimeoutMs?: number;
}

export const DEFAULT_FLUSH_TIMEOUT_MS = 3_000;

const DISABLED: LangSmithTracing = {
  enabled: false,
  runConfig: (receipt) => ({ callbacks: undefined, ...receiptTraceLabels(receipt) }),
  flush: async () => 'disabled',
};

/**
 * LangSmith tracing of the analyzer's graph runs. Build it once per process (the container's singleton): it holds
 * the one `Client`, configured from `config` and never from the environment, whose batches `flush()` drains.
 *
 * Our tracer is passed explicitly on every run. `@langchain/core` adds its env-configured tracer only when no
 * handler named `langchain_tracer` is present, so `LANGSMITH_TRACING=true` in the environment creates no
 * duplicate runs as long as runs carry `runConfig(...)`.
 */
export function createLangSmithTracing(
  config: TracingConfig,
  options: LangSmithTracingOptions = {},
): LangSmithTracing {
  if (!config.enabled) return DISABLED;
  const flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
  const redactText = textRedactor([config.apiKey, ...(options.secrets ?? [])], options.redact);
  const redact = valueRedactor(redactText);
  const client = new Client({
    apiUrl: config.endpoint,
    apiKey: config.apiKey,
    autoBatchTracing: true,
    // We flush ourselves, so the environment's LANGSMITH_TRACING_BACKGROUND must not change how runs are sent.
    blockOnRootRunFinalization: false,
    hideInputs: config.hide.inputs || redact,
    hideOutputs: config.hide.outputs || redact,
    hideMetadata: config.hide.metadata || redact,
    // Used on run errors: an HTTP error message can quote a key.
    anonymizer: redact,
    disablePromptCache: true,
    // The client reports failed requests on the console itself (it takes no logger), quoting the response body
    // and fetch's errors: they reach it redacted. Debug mode would print every request, whatever the env says.
    fetchImplementation: redactingFetch((input, init) => fetch(input, init), redactText),
    debug: false,
  });

  const drain = async (): Promise<FlushOutcome> => {
    try {
      // In this order: LangChain's callback queue is what hands the runs to the client.
      await awaitAllCallbacks();
      await client.awaitPendingTraceBatches();
      return 'flushed';
    } catch {
      return 'failed';
    }
  };

  return {
    enabled: true,
    runConfig: (receipt) => ({
      // A new tracer per run keeps no state between receipts; they all share the one client.
      // `replicas: []` keeps LANGSMITH_RUNS_ENDPOINTS from sending these runs anywhere else.
      callbacks: [new LangChainTracer({ client, projectName: config.project, replicas: [] })],
      ...receiptTraceLabels(receipt),
    }),
    flush: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<FlushOutcome>((resolve) => {
        timer = setTimeout(() => resolve('timed_out'), flushTimeoutMs);
      });
      try {
        return await Promise.race([drain(), timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
