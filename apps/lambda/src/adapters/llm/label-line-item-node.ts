import { type LangGraphRunnableConfig, Send } from '@langchain/langgraph';
import type { AnalysisStateValue } from './analysis-state.js';
import { type LabelStep, runLabelStep } from './label-step.js';
import type { AnalysisRunContext } from './model-step.js';
import type { PromptLine } from './receipt-prompt.js';
import type { StructuredChat } from './structured-chat.js';

/** One purchased item to label: its total's word, and the lines around it that may hold its parts. */
export interface LineItemTask {
  readonly lineId: number;
  readonly wordId: number;
  readonly lines: readonly PromptLine[];
}

export const LINE_ITEM_STEP_NAME = 'line_item_labels';

// Quantity and unit price are often printed on the line below the item ("2 @ 1.27"), a long name above it.
const NEIGHBOUR_LINES = 1;

function lineItemStep(task: LineItemTask): LabelStep {
  return {
    name: LINE_ITEM_STEP_NAME,
    labels: ['PRODUCT_NAME', 'QUANTITY', 'UNIT_PRICE'],
    task: [
      `Task: line ${task.lineId} holds one purchased item; its total is the word [${task.lineId}.${task.wordId}].`,
      'Label the words of that item among the lines shown:',
      "PRODUCT_NAME: every word of the item's name;",
      'QUANTITY: the number of units or the weight bought;',
      'UNIT_PRICE: the price of one unit (or of one unit of weight).',
      'Leave out the item total itself, product codes, and the words of other items.',
    ].join('\n'),
  };
}

/**
 * After the amounts are classified: one line-item step per line with a validated LINE_TOTAL (a proposal that
 * failed validation starts nothing), or `otherwise` when there is none.
 */
export function routeLineItems<Target extends string, Otherwise extends string>(
  target: Target,
  otherwise: Otherwise,
) {
  return (state: AnalysisStateValue): Send<Target, LineItemTask>[] | Otherwise => {
    const totals = new Map<number, number>();
    for (const proposal of state.proposals) {
      if (proposal.label === 'LINE_TOTAL' && !totals.has(proposal.lineId)) {
        totals.set(proposal.lineId, proposal.wordId);
      }
    }
    if (totals.size === 0) return otherwise;
    return [...totals].map(([lineId, wordId]) => {
      const lines = state.lines.filter((line) => Math.abs(line.lineId - lineId) <= NEIGHBOUR_LINES);
      return new Send(target, { lineId, wordId, lines } satisfies LineItemTask);
    });
  };
}

/** Labels one item's name, quantity and unit price, on its own lines only. */
export function labelLineItemNode(chat: StructuredChat) {
  return (task: LineItemTask, config: LangGraphRunnableConfig<AnalysisRunContext>) =>
    runLabelStep(chat, lineItemStep(task), task.lines, config, `${LINE_ITEM_STEP_NAME}:${task.lineId}`);
}
