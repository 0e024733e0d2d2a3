import { COFFEE_SHOP_RECEIPT } from '@receipt-gate/core/testing';
import { describe, expect, it } from 'vitest';
import { promptLines } from './receipt-prompt.js';
import { validateMetadataVerdict } from './validate-metadata-verdict.js';

// Bean & Leaf Coffee / 88 Harbor Ave / Seattle, WA 98109 / (206) 555-0187 ...
const lines = promptLines(COFFEE_SHOP_RECEIPT.words);

describe('validateMetadataVerdict', () => {
  it('passes a match through, without corrections', () => {
    const { verdict, dropped } = validateMetadataVerdict(
      {
        matches: true,
        corrections: [{ field: 'merchantName', value: 'Bean & Leaf Coffee' }],
        reason: 'same store',
      },
      lines,
    );
    expect(verdict).toEqual({ matches: true, corrections: {}, reasoning: 'metadata_check: same store' });
    expect(dropped).toEqual({});
  });

  it('keeps corrections of correctable fields whose value the receipt prints, across lines and punctuation', () => {
    const { verdict, dropped } = validateMetadataVerdict(
      {
        matches: false,
        corrections: [
          { field: 'phoneNumber', value: '(206) 555-0187' },
          { field: 'address', value: '88 Harbor Ave, Seattle, WA 98109' },
          { field: 'merchantName', value: ' bean & leaf coffee ' },
        ],
        reason: 'the record is of another branch',
      },
      lines,
    );
    expect(verdict).toEqual({
      matches: false,
      corrections: {
        phoneNumber: '(206) 555-0187',
        address: '88 Harbor Ave, Seattle, WA 98109',
        merchantName: 'bean & leaf coffee',
      },
      reasoning: 'metadata_check: the record is of another branch',
    });
    expect(dropped).toEqual({});
  });

  it('drops corrections of other fields, and values the receipt does not print', () => {
    const { verdict, dropped } = validateMetadataVerdict(
      {
        matches: false,
        corrections: [
          { field: 'placeId', value: 'ChIJevil' },
          { field: '__proto__', value: 'Bean & Leaf Coffee' },
          { field: 'merchantName', value: 'EvilCorp Holdings' },
          { field: 'phoneNumber', value: '+1 206-555-0187' },
          { field: 'address', value: 'Harbor' },
          { field: 'merchantName', value: '88' },
          { field: 'merchantName', value: 'Bean\u0000Leaf Coffee' },
        ],
      },
      lines,
    );
    expect(verdict.corrections).toEqual({ address: 'Harbor' });
    expect(verdict.matches).toBe(false);
    expect(verdict.reasoning).toMatch(/dropped/);
    expect(dropped).toEqual({ field_not_correctable: 2, value_not_on_receipt: 4 });
  });
});
