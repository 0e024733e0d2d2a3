import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { AnalysisStateUpdate } from './analysis-state.js';
import type { StructuredChat, StructuredChatRequest } from './structured-chat.js';

/**
 * What every run of the graph is given besides its state: when it must be done. (A type, not an interface:
 * LangGraph wants its config's context indexable.)
 */
export type AnalysisRunContext = {
  readonly deadlineAt?: number;
};

/**
 * Runs one model call of a step. A call that fails (for good, or with a reply that is not JSON of the schema)
 * makes the step contribute nothing but its failed outcome, so one bad reply costs only its own proposals; an
 * abort is rethrown, ending the run.
 */
export async function modelStep<T>(
  chat: StructuredChat,
  step: string,
  request: Omit<StructuredChatRequest<T>, 'signal' | 'deadlineAt'>,
  config: LangGraphRunnableConfig<AnalysisRunContext>,
  use: (reply: T) => AnalysisStateUpdate,
): Promise<AnalysisStateUpdate> {
  const deadlineAt = config.configurable?.deadlineAt;
  let reply: T;
  try {
    reply = await chat.complete({
      ...request,
      ...(config.signal && { signal: config.signal }),
      ...(deadlineAt !== undefined && { deadlineAt }),
    });
  } catch (error) {
    if (config.signal?.aborted) throw error;
    return { steps: [{ step, ok: false, error: error instanceof Error ? error.message : String(error) }] };
  }
  const update = use(reply);
  return { ...update, steps: [{ step, ok: true }] };
}
