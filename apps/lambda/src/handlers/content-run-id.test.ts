import { parseUuid } from '@receipt-gate/core';
import { SAMPLE_RECEIPTS } from '@receipt-gate/core/testing';
import { describe, expect, it } from 'vitest';
import { contentRunId } from './content-run-id.js';

const [sample] = SAMPLE_RECEIPTS;
if (!sample) throw new Error('no sample receipt');
const content = { lines: sample.lines, words: sample.words };

describe('contentRunId', () => {
  it('is a valid UUID v5, the same for the same content and different for other content or receipts', () => {
    const id = contentRunId(sample, content);
    expect(parseUuid('run_id', id)).toBe(id);
    expect(id[14]).toBe('5');
    expect(contentRunId(sample, { ...content })).toBe(id);
    expect(contentRunId(sample, { ...content, words: content.words.slice(1) })).not.toBe(id);
    const [first, ...rest] = content.lines;
    if (!first) throw new Error('no line');
    expect(
      contentRunId(sample, { ...content, lines: [{ ...first, text: `${first.text}.` }, ...rest] }),
    ).not.toBe(id);
    expect(contentRunId({ ...sample, receiptId: sample.receiptId + 1 }, content)).not.toBe(id);
  });

  it('does not depend on the embedding status nor on extracted data, which other services fill in', () => {
    const id = contentRunId(sample, content);
    const embedded = content.lines.map((line) => ({ ...line, embeddingStatus: 'SUCCESS' as const }));
    expect(contentRunId(sample, { ...content, lines: embedded })).toBe(id);
    const extracted = content.words.map((word) => ({
      ...word,
      extractedData: { type: 'word', value: word.text },
    }));
    expect(contentRunId(sample, { ...content, words: extracted })).toBe(id);
  });
});
