import { END, START, StateGraph } from '@langchain/langgraph';
import { amountsAndLineItemsNode } from './amounts-and-line-items-node.js';
import { AnalysisState } from './analysis-state.js';
import { checkMetadataNode } from './check-metadata-node.js';
import { classifyContextNode } from './classify-context-node.js';
import { combineNode } from './combine-node.js';
import type { StructuredChat } from './structured-chat.js';

/**
 * The analysis graph. From the start, in parallel: classify the amounts and fan out the line items from them
 * (a subgraph), label the merchant and transaction context, check the metadata; then `combine` the three into
 * the analysis. Node names differ from state keys, as LangGraph requires.
 */
export function buildAnalysisGraph(chat: StructuredChat, analyzer: string) {
  return new StateGraph(AnalysisState)
    .addNode('amounts_and_line_items', amountsAndLineItemsNode(chat))
    .addNode('classify_context', classifyContextNode(chat))
    .addNode('check_metadata', checkMetadataNode(chat))
    .addNode('combine', combineNode(analyzer))
    .addEdge(START, 'amounts_and_line_items')
    .addEdge(START, 'classify_context')
    .addEdge(START, 'check_metadata')
    .addEdge(['amounts_and_line_items', 'classify_context', 'check_metadata'], 'combine')
    .addEdge('combine', END)
    .compile({ name: 'receipt_analysis' });
}

export type AnalysisGraph = ReturnType<typeof buildAnalysisGraph>;
