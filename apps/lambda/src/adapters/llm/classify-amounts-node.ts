import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { AMOUNT_LABELS } from '@receipt-gate/core';
import type { AnalysisStateValue } from './analysis-state.js';
import { type LabelStep, runLabelStep } from './label-step.js';
import type { AnalysisRunContext } from './model-step.js';
import type { StructuredChat } from './structured-chat.js';

export const AMOUNTS_STEP: LabelStep = {
  name: 'amount_labels',
  labels: AMOUNT_LABELS,
  task: [
    'Task: find every word that is a money amount and say what it is:',
    'LINE_TOTAL: the price charged for one purchased item line;',
    'SUBTOTAL: the total before tax;',
    'TAX: a tax amount;',
    'GRAND_TOTAL: the total amount due;',
    'TIP: a tip or gratuity;',
    'DISCOUNT: a discount or savings amount;',
    'COUPON: the amount of a coupon;',
    'CHANGE: the change given back;',
    'CASH_BACK: cash back;',
    'REFUND: the amount of a returned item or a refund.',
    'Label only words that are amounts themselves (4.99, $12.00, 1.00-); leave out the price of one unit',
    '(as in "2 @ 1.99").',
  ].join('\n'),
};

/** Classifies the receipt's money amounts (totals, tax, line totals...). */
export function classifyAmountsNode(chat: StructuredChat) {
  return (state: AnalysisStateValue, config: LangGraphRunnableConfig<AnalysisRunContext>) =>
    runLabelStep(chat, AMOUNTS_STEP, state.lines, config);
}
