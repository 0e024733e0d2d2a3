import type { ReceiptAnalysisInput, WordLabelName } from '@receipt-gate/core';
import type { SampleReceipt } from '@receipt-gate/core/testing';
import type { ChatRequestBody, LoopbackOllama, ScriptedReply } from '../../../test/loopback/ollama-server.js';
import { AMOUNTS_STEP } from './classify-amounts-node.js';
import { CONTEXT_STEP } from './classify-context-node.js';
import { LINE_ITEM_STEP_NAME } from './label-line-item-node.js';
import { OllamaChat, type OllamaChatOptions } from './ollama-chat.js';
import { OllamaConfig, type OllamaConfigOptions } from './ollama-config.js';
import { METADATA_CHECK } from './reply-schemas.js';

/** A key the tests look for wherever it must not be. */
export const TEST_KEY = 'olk-test-7b3e0c9d41a2f6e8';
export const TEST_MODEL = 'receipt-test-model:1b';

export interface ScriptedLabel {
  readonly lineId: number;
  readonly wordId: number;
  readonly label: string;
  readonly reason?: string;
}

/** Which step a chat request is for: the title of the schema sent as `format`. */
export function stepOf(body: ChatRequestBody): string {
  return (body.format as { title: string }).title;
}

/** The line a line-item request is about (from its instructions). */
export function lineItemOf(body: ChatRequestBody): number {
  const match = /Task: line (\d+) holds/.exec(messageOf(body, 'system'));
  if (!match) throw new Error('not a line-item request');
  return Number(match[1]);
}

export function messageOf(body: ChatRequestBody, role: 'system' | 'user'): string {
  return body.messages?.find((message) => message.role === role)?.content ?? '';
}

export function labelsReply(labels: readonly ScriptedLabel[], delayMs?: number): ScriptedReply {
  return {
    json: {
      labels: labels.map((l) => ({
        line_id: l.lineId,
        word_id: l.wordId,
        label: l.label,
        reason: l.reason ?? 'seen',
      })),
    },
    ...(delayMs !== undefined && { delayMs }),
  };
}

export const MATCHING_METADATA: ScriptedReply = {
  json: { matches: true, corrections: [], reason: 'name, phone and address are printed on the receipt' },
};

/** The replies a perfect model gives for a sample receipt: its ground truth, each label from its step. */
export function groundTruthReplies(sample: SampleReceipt) {
  const of = (labels: readonly WordLabelName[], lineId?: number) =>
    sample.groundTruth.filter(
      (l) => labels.includes(l.label) && (lineId === undefined || l.lineId === lineId),
    );
  return {
    amounts: of(AMOUNTS_STEP.labels),
    context: of(CONTEXT_STEP.labels),
    lineItem: (lineId: number) => of(['PRODUCT_NAME', 'QUANTITY', 'UNIT_PRICE'], lineId),
  };
}

export type StepScript = (body: ChatRequestBody, index: number) => ScriptedReply | Promise<ScriptedReply>;

/**
 * A script answering each step from `overrides` when given, and otherwise as a perfect model would for `sample`
 * (each line-item step with the item labels of its own line).
 */
export function sampleScript(
  sample: SampleReceipt,
  overrides: Readonly<Record<string, StepScript>> = {},
): (body: ChatRequestBody, index: number) => ScriptedReply | Promise<ScriptedReply> {
  const truth = groundTruthReplies(sample);
  return (body, index) => {
    const step = stepOf(body);
    const override = overrides[step];
    if (override) return override(body, index);
    if (step === METADATA_CHECK) return MATCHING_METADATA;
    if (step === LINE_ITEM_STEP_NAME) return labelsReply(truth.lineItem(lineItemOf(body)));
    return labelsReply(step === AMOUNTS_STEP.name ? truth.amounts : truth.context);
  };
}

/** The analyzer's input for a sample receipt. */
export function inputOf(sample: SampleReceipt): ReceiptAnalysisInput {
  return {
    receipt: { imageId: sample.imageId, receiptId: sample.receiptId },
    lines: sample.lines,
    words: sample.words,
    metadata: sample.metadata,
  };
}

/** `line.word:LABEL` keys, sorted, for comparing sets of labels. */
export function labelKeys(labels: readonly { lineId: number; wordId: number; label: string }[]): string[] {
  return labels.map((l) => `${l.lineId}.${l.wordId}:${l.label}`).sort();
}

/** A chat against the loopback server with the test key, short timeouts and fast backoff. */
export function loopbackChat(
  server: LoopbackOllama,
  config: OllamaConfigOptions = {},
  options: OllamaChatOptions = {},
): { config: OllamaConfig; chat: OllamaChat } {
  const resolved = new OllamaConfig({
    host: server.url,
    model: TEST_MODEL,
    apiKey: TEST_KEY,
    timeoutMs: 2_000,
    maxRetries: 2,
    maxConcurrency: 4,
    ...config,
  });
  return {
    config: resolved,
    chat: new OllamaChat(resolved, { backoff: { baseMs: 5, maxMs: 20 }, ...options }),
  };
}
