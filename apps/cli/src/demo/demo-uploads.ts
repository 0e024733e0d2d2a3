import { randomUUID } from 'node:crypto';
import { SAMPLE_RECEIPTS, type SampleReceipt } from '@receipt-gate/core/testing';

export interface DemoUpload {
  readonly sample: SampleReceipt;
  readonly imageId: string;
  readonly receiptId: number;
  /** The upload handler's event. */
  readonly payload: Record<string, unknown>;
}

/**
 * `count` uploads cycling through the sample receipts, from the `first`-th on; copies beyond the first round get
 * new image ids.
 */
export function demoUploads(count: number, first = 0): DemoUpload[] {
  return Array.from({ length: count }, (_, at) => {
    const i = first + at;
    const sample = SAMPLE_RECEIPTS[i % SAMPLE_RECEIPTS.length] as SampleReceipt;
    const imageId = i < SAMPLE_RECEIPTS.length ? sample.imageId : randomUUID();
    const strip = ({
      imageId: _image,
      receiptId: _receipt,
      ...rest
    }: {
      imageId: string;
      receiptId: number;
    }) => rest;
    return {
      sample,
      imageId,
      receiptId: sample.receiptId,
      payload: {
        imageId,
        receiptId: sample.receiptId,
        lines: sample.lines.map(strip),
        words: sample.words.map(strip),
        metadata: strip(sample.metadata),
      },
    };
  });
}
