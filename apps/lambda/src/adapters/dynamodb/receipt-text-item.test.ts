import { InvalidValueError, parseReceiptLine, parseReceiptWord } from '@receipt-gate/core';
import { describe, expect, it } from 'vitest';
import type { Item } from './attribute-values.js';
import {
  fromReceiptLineItem,
  fromReceiptWordItem,
  toReceiptLineItem,
  toReceiptWordItem,
} from './receipt-text-item.js';

const IMAGE = '2f0f6c53-8f5c-4b6a-9d37-0c1f6a2e9b41';
const geometry = {
  boundingBox: { x: 0.1, y: 0.8, width: 0.3, height: 0.02 },
  topLeft: { x: 0.1, y: 0.82 },
  topRight: { x: 0.4, y: 0.82 },
  bottomLeft: { x: 0.1, y: 0.8 },
  bottomRight: { x: 0.4, y: 0.8 },
  angleDegrees: -1.25,
  angleRadians: -0.021816615649929,
  confidence: 1,
};
const line = parseReceiptLine({ imageId: IMAGE, receiptId: 2, lineId: 0, text: 'TOTAL 4.50', ...geometry });
const word = parseReceiptWord({
  ...line,
  wordId: 1,
  text: '4.50',
  embeddingStatus: 'SUCCESS',
  isNoise: true,
  extractedData: { type: 'price', value: '4.50' },
});

const n = (value: string) => ({ N: value });
/** A word as the Python services write it: long decimals, histogram, no embedding_status nor is_noise. */
const pythonWord: Item = {
  PK: { S: `IMAGE#${IMAGE}` },
  SK: { S: 'RECEIPT#00002#LINE#00004#WORD#00007' },
  TYPE: { S: 'RECEIPT_WORD' },
  text: { S: 'TAX' },
  bounding_box: { M: { x: n('0.12345678901234567890'), y: n('0.5'), width: n('0.1'), height: n('0.02') } },
  top_left: { M: { x: n('0.1'), y: n('0.52') } },
  top_right: { M: { x: n('0.2'), y: n('0.52') } },
  bottom_left: { M: { x: n('0.1'), y: n('0.5') } },
  bottom_right: { M: { x: n('0.2'), y: n('0.5') } },
  angle_degrees: n('0.000000000000000000'),
  angle_radians: n('0'),
  confidence: n('0.99'),
  extracted_data: { NULL: true },
  histogram: { M: { T: n('0.3333') } },
  num_chars: n('3'),
};

describe('receipt line and word items', () => {
  it('round-trips a line and a word', () => {
    expect(fromReceiptLineItem(toReceiptLineItem(line))).toEqual(line);
    expect(fromReceiptWordItem(toReceiptWordItem(word))).toEqual(word);
    const { extractedData: _, ...plain } = word;
    expect(fromReceiptWordItem(toReceiptWordItem(plain))).toEqual(plain);
  });

  it('writes GSI4, and the numbers as the existing services do: 20 decimals, 18 for angles, 2 for confidence', () => {
    const noisy = parseReceiptWord({
      ...word,
      boundingBox: { x: 0.1 + 0.2, y: 0.8, width: 0.3, height: 0.02 },
      angleDegrees: 0.0012345678901234567,
      angleRadians: -0.021816615649929122,
      confidence: 0.9400000000000001,
    });
    const item = toReceiptWordItem(noisy);
    expect(item).toMatchObject({
      GSI4PK: { S: `IMAGE#${IMAGE}#RECEIPT#00002` },
      GSI4SK: { S: '3_WORD#00000#00001' },
      confidence: { N: '0.94' },
      angle_degrees: { N: '0.001234567890123457' },
      angle_radians: { N: '-0.021816615649929122' },
      bounding_box: { M: { x: { N: '0.30000000000000004' }, y: { N: '0.8' } } },
    });
    expect(toReceiptLineItem(line)).toMatchObject({ GSI4SK: { S: '2_LINE#00000' }, confidence: { N: '1' } });
    expect(toReceiptWordItem({ ...word, confidence: 0.945 }).confidence).toEqual({ N: '0.95' });
  });

  it('reads a word as the Python services write it, with the defaults of older items', () => {
    const read = fromReceiptWordItem(pythonWord);
    expect([read.receiptId, read.lineId, read.wordId, read.text]).toEqual([2, 4, 7, 'TAX']);
    expect([read.embeddingStatus, read.isNoise, read.extractedData]).toEqual(['NONE', false, undefined]);
    expect(read.boundingBox.x).toBeCloseTo(0.1234567890123);
  });

  it.each([
    ['RECEIPT_WORD.confidence', { confidence: n('0') }],
    ['RECEIPT_WORD.bounding_box.width', { bounding_box: { M: { x: n('0'), y: n('0'), height: n('0') } } }],
    ['RECEIPT_WORD.text', { text: n('3') }],
    ['RECEIPT_WORD.embedding_status', { embedding_status: { S: 'DONE' } }],
    ['RECEIPT_WORD.extracted_data', { extracted_data: { S: 'price' } }],
    ['RECEIPT_WORD.extracted_data.value', { extracted_data: { M: { value: n('4.5') } } }],
    ['RECEIPT_WORD.SK', { SK: { S: 'RECEIPT#00002#LINE#00004' } }],
  ])('refuses a bad item naming %s', (field, patch) => {
    const read = () => fromReceiptWordItem({ ...pythonWord, ...patch });
    expect(read).toThrow(InvalidValueError);
    expect(read).toThrow(expect.objectContaining({ field }));
  });
});
