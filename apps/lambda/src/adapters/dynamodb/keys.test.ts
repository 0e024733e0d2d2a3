import { describe, expect, it } from 'vitest';
import { LABEL_GSI1PK_LENGTH, labelGsi1pk, receiptLinesPrefix } from './keys.js';

const IMAGE = '2f0f6c53-8f5c-4b6a-9d37-0c1f6a2e9b41';

describe('keys', () => {
  it('pads a label GSI1PK with `_` to 40 characters', () => {
    expect(labelGsi1pk('TAX')).toBe(`LABEL#TAX${'_'.repeat(31)}`);
    expect(labelGsi1pk('MERCHANT_NAME')).toHaveLength(LABEL_GSI1PK_LENGTH);
  });

  it('gives receipt 1 a line prefix that receipt 10 does not start with', () => {
    const one = receiptLinesPrefix({ imageId: IMAGE, receiptId: 1 });
    const ten = receiptLinesPrefix({ imageId: IMAGE, receiptId: 10 });
    expect(one).toBe('RECEIPT#00001#LINE#');
    expect(`${ten}00001`.startsWith(one)).toBe(false);
  });
});
