import { isCorrectableField, type MerchantCorrection, type MetadataVerdict } from '@receipt-gate/core';
import type { PromptLine } from './receipt-prompt.js';
import type { MetadataReply } from './reply-schemas.js';
import { cleanReason, type DropCounts, type DropReason } from './validate-proposals.js';

const MAX_VALUE_CHARS = 200;
// Fewer letters and digits than this say nothing a correction could rest on ("A", "1").
const MIN_VALUE_ALNUM = 3;

/**
 * Turns the model's metadata check into a verdict. A correction is kept only for a field a validation may
 * correct and only with a value the receipt prints (its letters and digits, in order, as consecutive text of
 * the receipt): whatever the OCR text says, the model cannot make a validation write merchant data the receipt
 * does not show. Corrections count only when the model says the metadata does not match.
 */
export function validateMetadataVerdict(
  reply: MetadataReply,
  lines: readonly PromptLine[],
): { verdict: MetadataVerdict; dropped: DropCounts } {
  const reason = cleanReason(reply.reason) || 'no reason given';
  if (reply.matches) {
    return {
      verdict: { matches: true, corrections: {}, reasoning: `metadata_check: ${reason}` },
      dropped: {},
    };
  }
  const receipt = lines.flatMap((line) => line.words.flatMap((word) => tokens(word.text)));
  const corrections: Record<string, string> = {};
  const dropped: Partial<Record<DropReason, number>> = {};
  for (const { field, value } of reply.corrections) {
    const problem = !isCorrectableField(field)
      ? 'field_not_correctable'
      : printedOn(receipt, value)
        ? undefined
        : 'value_not_on_receipt';
    if (problem) dropped[problem] = (dropped[problem] ?? 0) + 1;
    else corrections[field] ??= value.trim();
  }
  const droppedNote =
    Object.keys(dropped).length > 0 ? ' (corrections the receipt does not support dropped)' : '';
  return {
    verdict: {
      matches: false,
      corrections: corrections as MerchantCorrection,
      reasoning: `metadata_check: ${reason}${droppedNote}`,
    },
    dropped,
  };
}

function printedOn(receipt: readonly string[], value: string): boolean {
  const wanted = tokens(value);
  if (value.length > MAX_VALUE_CHARS || /\p{Cc}/u.test(value) || wanted.join('').length < MIN_VALUE_ALNUM) {
    return false;
  }
  for (let start = 0; start + wanted.length <= receipt.length; start++) {
    if (wanted.every((token, offset) => receipt[start + offset] === token)) return true;
  }
  return false;
}

/** Upper-case runs of letters and digits: `(206) 555-0187` -> 206, 555, 0187. */
function tokens(text: string): string[] {
  return text.toUpperCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
