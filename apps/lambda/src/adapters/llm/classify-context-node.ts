import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { AnalysisStateValue } from './analysis-state.js';
import { type LabelStep, runLabelStep } from './label-step.js';
import type { AnalysisRunContext } from './model-step.js';
import type { StructuredChat } from './structured-chat.js';

export const CONTEXT_STEP: LabelStep = {
  name: 'context_labels',
  labels: [
    'MERCHANT_NAME',
    'ADDRESS_LINE',
    'PHONE_NUMBER',
    'WEBSITE',
    'STORE_HOURS',
    'DATE',
    'TIME',
    'PAYMENT_METHOD',
    'LOYALTY_ID',
  ],
  task: [
    'Task: label the words that say who the merchant is, and when and how the customer paid:',
    "MERCHANT_NAME: every word of the store's name;",
    "ADDRESS_LINE: every word of the store's address;",
    'PHONE_NUMBER: the words of a phone number;',
    'WEBSITE: a web address;',
    'STORE_HOURS: opening hours;',
    'DATE: the date of the purchase;',
    'TIME: the time of the purchase;',
    'PAYMENT_METHOD: the card type or brand, or cash;',
    'LOYALTY_ID: a member, rewards or loyalty number.',
    'Do not label money amounts or purchased items.',
  ].join('\n'),
};

/** Labels the transaction and merchant context (name, address, phone, date, payment...). */
export function classifyContextNode(chat: StructuredChat) {
  return (state: AnalysisStateValue, config: LangGraphRunnableConfig<AnalysisRunContext>) =>
    runLabelStep(chat, CONTEXT_STEP, state.lines, config);
}
