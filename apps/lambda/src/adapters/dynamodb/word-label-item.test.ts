import { InvalidValueError, parseStoredWordLabel, parseWordLabel } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import type { Item } from './attribute-values.js';
import { fromWordLabelItem, labelIdentityOf, toWordLabelItem } from './word-label-item.js';

const IMAGE = '2f0f6c53-8f5c-4b6a-9d37-0c1f6a2e9b41';

/** A label as the Python services write it: no `label` attribute, validation_status NULL. */
const pythonLabel: Item = {
  PK: { S: `IMAGE#${IMAGE}` },
  SK: { S: 'RECEIPT#00001#LINE#00012#WORD#00003#LABEL#GRAND_TOTAL' },
  TYPE: { S: 'RECEIPT_WORD_LABEL' },
  reasoning: { NULL: true },
  timestamp_added: { S: '2026-11-29T12:00:00.654321+00:00' },
  validation_status: { NULL: true },
  label_proposed_by: { NULL: true },
  label_consolidated_from: { NULL: true },
};

describe('word label item', () => {
  it('round-trips a label with and without its optional fields', () => {
    const label = parseWordLabel({
      imageId: IMAGE,
      receiptId: 1,
      lineId: 12,
      wordId: 3,
      label: 'TAX',
      reasoning: 'next to TAX',
      timestampAdded: '2026-11-29T12:00:00.000Z',
      validationStatus: 'PENDING',
      labelProposedBy: 'analyzer',
      labelConsolidatedFrom: 'LINE_TOTAL',
    });
    expect(fromWordLabelItem(toWordLabelItem(label))).toEqual(label);
    const { reasoning: _, labelProposedBy: __, labelConsolidatedFrom: ___, ...bare } = label;
    expect(fromWordLabelItem(toWordLabelItem(bare))).toEqual(bare);
  });

  it('reads a label as the Python services write it: name from the SK, NULL status as NONE', () => {
    expect(fromWordLabelItem(pythonLabel)).toEqual({
      imageId: IMAGE,
      receiptId: 1,
      lineId: 12,
      wordId: 3,
      label: 'GRAND_TOTAL',
      timestampAdded: '2026-11-29T12:00:00.654321+00:00',
      validationStatus: 'NONE',
    });
  });

  it('writes no label attribute, and GSI4 under the receipt with the padded ids and the name', () => {
    const item = toWordLabelItem(fromWordLabelItem(pythonLabel));
    expect(item).not.toHaveProperty('label');
    expect(item).toMatchObject({
      GSI1PK: { S: 'LABEL#GRAND_TOTAL_______________________' },
      GSI4PK: { S: `IMAGE#${IMAGE}#RECEIPT#00001` },
      GSI4SK: { S: '4_LABEL#00012#00003#GRAND_TOTAL' },
    });
  });

  it('reads a label outside the vocabulary verbatim, with a timestamp at a non-UTC offset', () => {
    const legacy = {
      ...pythonLabel,
      SK: { S: 'RECEIPT#00001#LINE#00012#WORD#00003#LABEL#BUSINESS_NAME' },
      timestamp_added: { S: '2026-08-20T09:15:00-07:00' },
      validation_status: { S: 'VALID' },
    };
    expect(fromWordLabelItem(legacy)).toMatchObject({
      label: 'BUSINESS_NAME',
      timestampAdded: '2026-08-20T09:15:00-07:00',
      validationStatus: 'VALID',
    });
  });

  it('leaves GSI1 out for a name too long for its padded key', () => {
    const long = parseStoredWordLabel({ ...fromWordLabelItem(pythonLabel), label: `X${'Y'.repeat(34)}` });
    const item = toWordLabelItem(long);
    expect(item).not.toHaveProperty('GSI1PK');
    expect(item).not.toHaveProperty('GSI1SK');
  });

  it('tells the word and label of an item whose attributes are unreadable', () => {
    expect(labelIdentityOf({ ...pythonLabel, validation_status: { S: '' } })).toEqual({
      imageId: IMAGE,
      receiptId: 1,
      lineId: 12,
      wordId: 3,
      label: 'GRAND_TOTAL',
    });
  });

  it.each([
    ['RECEIPT_WORD_LABEL.word_id', { SK: { S: 'RECEIPT#00001#LINE#00012#WORD#00000#LABEL#TAX' } }],
    ['RECEIPT_WORD_LABEL.validation_status', { validation_status: { S: 'MAYBE' } }],
    ['RECEIPT_WORD_LABEL.timestamp_added', { timestamp_added: { NULL: true } }],
    ['RECEIPT_WORD_LABEL.PK', { PK: { S: 'RECEIPT#1' } }],
  ])('refuses a bad item naming %s', (field, patch) => {
    const read = () => fromWordLabelItem({ ...pythonLabel, ...patch });
    expect(read).toThrow(InvalidValueError);
    expect(read).toThrow(expect.objectContaining({ field }));
  });
});
