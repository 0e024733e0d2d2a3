import { format } from 'node:util';
import type { RunnableConfig } from '@langchain/core/runnables';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import type { ReceiptRef } from '@receipt-gate/core';
import { vi } from 'vitest';
import type { FlushOutcome, LangSmithTracing } from './langsmith-tracing.js';

/** Shaped like real keys, so a leak would look like one. */
export const FAKE_LANGSMITH_KEY = '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';
export const FAKE_OLLAMA_KEY = 'ollama-sk-7d2e9b4a1c6f8e3d5b0a2c4e6f8a1b3d';

const ReceiptState = Annotation.Root({
  words: Annotation<string[]>(),
  labels: Annotation<string[]>(),
});

export interface ReceiptGraphOptions {
  readonly ollamaApiKey: string;
  /** Every state a node receives or returns, to look for secrets in. */
  readonly states?: unknown[];
  /** The "model" call fails with this message (an HTTP client error can quote a key). */
  readonly failWith?: string;
}

/** A two-node stand-in for the analyzer; the "model" key lives in the nodes' closure, as an Ollama client's would. */
export function buildReceiptGraph({ ollamaApiKey, states = [], failWith }: ReceiptGraphOptions) {
  const model = {
    label: (word: string) => {
      if (failWith !== undefined) throw new Error(failWith);
      if (!ollamaApiKey) throw new Error('no model key');
      return /^\d+[.,]\d\d$/.test(word) ? 'LINE_TOTAL' : 'O';
    },
  };
  return new StateGraph(ReceiptState)
    .addNode('classify', (state) => {
      states.push(structuredClone(state));
      const update = { labels: state.words.map((word) => model.label(word)) };
      states.push(structuredClone({ ...state, ...update }));
      return update;
    })
    .addNode('combine', (state) => {
      states.push(structuredClone(state));
      const update = {
        labels: state.labels.map((label, index) => (label === 'O' ? label : `${label}#${index}`)),
      };
      states.push(structuredClone({ ...state, ...update }));
      return update;
    })
    .addEdge(START, 'classify')
    .addEdge('classify', 'combine')
    .addEdge('combine', END)
    .compile();
}

export type ReceiptGraph = ReturnType<typeof buildReceiptGraph>;

export interface ReceiptEvent extends ReceiptRef {
  readonly words: string[];
}

/**
 * A Lambda-style handler around one graph run, flushing in `finally` as ours do; it records each flush's outcome
 * and how long it took.
 */
export function lambdaHandler(
  tracing: LangSmithTracing,
  graph: ReceiptGraph,
  extraConfig: Omit<RunnableConfig, 'callbacks' | 'tags' | 'metadata'> = {},
) {
  const flushes: { outcome: FlushOutcome; ms: number }[] = [];
  const handle = async (event: ReceiptEvent) => {
    try {
      return await graph.invoke(
        { words: event.words, labels: [] },
        { ...extraConfig, ...tracing.runConfig(event) },
      );
    } finally {
      const started = performance.now();
      const outcome = await tracing.flush();
      flushes.push({ outcome, ms: performance.now() - started });
    }
  };
  return Object.assign(handle, { flushes });
}

/** Everything written to the console, stdout or stderr from now on (still written through). */
export function captureOutput(): () => string[] {
  const lines: string[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
      original(...args);
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return original(chunk, ...rest);
    });
  }
  return () => [...lines];
}
