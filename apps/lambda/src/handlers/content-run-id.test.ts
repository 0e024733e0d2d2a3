import { parseUuid } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import { contentRunId } from './content-run-id.js';

const receipt = { imageId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', receiptId: 1 };

describe('contentRunId', () => {
  it('is a valid UUID v5, the same for the same content and different for other content or receipts', () => {
    const id = contentRunId(receipt, { lines: ['A'] });
    expect(parseUuid('run_id', id)).toBe(id);
    expect(id[14]).toBe('5');
    expect(contentRunId(receipt, { lines: ['A'] })).toBe(id);
    expect(contentRunId(receipt, { lines: ['B'] })).not.toBe(id);
    expect(contentRunId({ ...receipt, receiptId: 2 }, { lines: ['A'] })).not.toBe(id);
  });
});
