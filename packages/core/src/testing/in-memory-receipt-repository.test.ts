import { describe, expect, it } from 'vitest';
import { InjectedPermanentError } from './fault-injector.js';
import { InMemoryReceiptRepository } from './in-memory-receipt-repository.js';

const receipt = { imageId: '3f1c2b4a-5d6e-4f70-8a91-b2c3d4e5f607', receiptId: 1 };
const point = { x: 0, y: 0 };
const line = {
  ...receipt,
  lineId: 0,
  text: 'TOTAL 4.50',
  boundingBox: { x: 0, y: 0, width: 1, height: 0.1 },
  topLeft: point,
  topRight: point,
  bottomLeft: point,
  bottomRight: point,
  angleDegrees: 0,
  angleRadians: 0,
  confidence: 1,
  embeddingStatus: 'NONE' as const,
  isNoise: false,
};

describe('InMemoryReceiptRepository', () => {
  it('fails reads as injected, then reads normally', async () => {
    const receipts = new InMemoryReceiptRepository();
    await receipts.saveReceiptContent({ lines: [line], words: [] });
    receipts.readFaults.failNext(1, 'permanent');
    await expect(receipts.getReceiptContent(receipt)).rejects.toBeInstanceOf(InjectedPermanentError);
    expect(await receipts.getReceiptContent(receipt)).toEqual({ lines: [line], words: [] });
  });

  it('validates all content before storing any of it', async () => {
    const receipts = new InMemoryReceiptRepository();
    await expect(
      receipts.saveReceiptContent({ lines: [line, { ...line, lineId: 1, confidence: 0 }], words: [] }),
    ).rejects.toThrow('confidence');
    expect(await receipts.getReceiptContent(receipt)).toEqual({ lines: [], words: [] });
  });
});
