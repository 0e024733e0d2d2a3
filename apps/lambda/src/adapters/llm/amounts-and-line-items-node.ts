import { END, type LangGraphRunnableConfig, START, StateGraph } from '@langchain/langgraph';
import { AnalysisState, type AnalysisStateUpdate, type AnalysisStateValue } from './analysis-state.js';
import { classifyAmountsNode } from './classify-amounts-node.js';
import { labelLineItemNode, routeLineItems } from './label-line-item-node.js';
import type { AnalysisRunContext } from './model-step.js';
import type { StructuredChat } from './structured-chat.js';

/**
 * The amounts and, fanned out from them, one line-item step per line total (Send). A subgraph of its own, so
 * the line items follow the amounts at once: in one graph they would wait for the slowest of the parallel
 * steps (LangGraph runs in supersteps), and a slow context step would starve them past the deadline.
 */
export function amountsAndLineItemsNode(chat: StructuredChat) {
  const graph = new StateGraph(AnalysisState)
    .addNode('classify_amounts', classifyAmountsNode(chat))
    .addNode('label_line_item', labelLineItemNode(chat))
    .addEdge(START, 'classify_amounts')
    .addConditionalEdges('classify_amounts', routeLineItems('label_line_item', END), ['label_line_item', END])
    .addEdge('label_line_item', END)
    .compile({ name: 'amounts_and_line_items' });
  return async (
    state: AnalysisStateValue,
    config: LangGraphRunnableConfig<AnalysisRunContext>,
  ): Promise<AnalysisStateUpdate> => {
    // The run's config (callbacks, signal, deadline) goes down, so the subgraph's runs nest in the trace.
    const { proposals, dropped, steps } = await graph.invoke({ lines: state.lines }, config);
    return { proposals, dropped, steps };
  };
}
