import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { WordLabelName } from '@receipt-gate/core';
import type { AnalysisStateUpdate } from './analysis-state.js';
import { type AnalysisRunContext, modelStep } from './model-step.js';
import { type PromptLine, renderReceipt, systemPrompt } from './receipt-prompt.js';
import { labelReplySchema } from './reply-schemas.js';
import type { StructuredChat } from './structured-chat.js';
import { validateProposals } from './validate-proposals.js';

const REPLY_SHAPE =
  'Reply as {"labels": [{"line_id": 3, "word_id": 2, "label": "...", "reason": "a few words"}]}, with an empty' +
  ' list when no word qualifies.';

/** A step that labels words: its name (the reply schema's title), its labels and its instructions. */
export interface LabelStep {
  readonly name: string;
  readonly labels: readonly WordLabelName[];
  readonly task: string;
}

/** Asks the model to label the lines shown, and keeps what validates against those lines and the step's labels. */
export function runLabelStep(
  chat: StructuredChat,
  step: LabelStep,
  lines: readonly PromptLine[],
  config: LangGraphRunnableConfig<AnalysisRunContext>,
  outcomeName = step.name,
): Promise<AnalysisStateUpdate> {
  return modelStep(
    chat,
    outcomeName,
    {
      purpose: step.name,
      system: systemPrompt(`${step.task}\n${REPLY_SHAPE}`),
      user: renderReceipt(lines),
      schema: labelReplySchema(step.name, step.labels),
    },
    config,
    (reply) => validateProposals(reply.labels, { step: step.name, lines, labels: step.labels }),
  );
}
