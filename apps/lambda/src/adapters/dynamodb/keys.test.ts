import { describe, expect, it } from 'vitest';
import {
  gsi4,
  LABEL_GSI1PK_LENGTH,
  labelGsi1pk,
  labelGsi4sk,
  receiptLinesPrefix,
  wordGsi4sk,
} from './keys.js';

const IMAGE = '2f0f6c53-8f5c-4b6a-9d37-0c1f6a2e9b41';

describe('keys', () => {
  it('pads a label GSI1PK with `_` to 40 characters', () => {
    expect(labelGsi1pk('TAX')).toBe(`LABEL#TAX${'_'.repeat(31)}`);
    expect(labelGsi1pk('MERCHANT_NAME')).toHaveLength(LABEL_GSI1PK_LENGTH);
    expect(labelGsi1pk('X'.repeat(34))).toBe(`LABEL#${'X'.repeat(34)}`);
    expect(labelGsi1pk('X'.repeat(35))).toBeUndefined();
  });

  it('builds GSI4 keys of a receipt with padded ids and the kind prefixes', () => {
    expect(gsi4({ imageId: IMAGE, receiptId: 3 }, wordGsi4sk(3, 2))).toEqual({
      GSI4PK: { S: `IMAGE#${IMAGE}#RECEIPT#00003` },
      GSI4SK: { S: '3_WORD#00003#00002' },
    });
    expect(labelGsi4sk({ lineId: 3, wordId: 2, label: 'TOTAL' })).toBe('4_LABEL#00003#00002#TOTAL');
  });

  it('gives receipt 1 a line prefix that receipt 10 does not start with', () => {
    const one = receiptLinesPrefix({ imageId: IMAGE, receiptId: 1 });
    const ten = receiptLinesPrefix({ imageId: IMAGE, receiptId: 10 });
    expect(one).toBe('RECEIPT#00001#LINE#');
    expect(`${ten}00001`.startsWith(one)).toBe(false);
  });
});
