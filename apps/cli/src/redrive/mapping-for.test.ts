import { STREAM_MAPPINGS } from '@receipt-gate/lambda';
import type { StreamFailureRecord } from '@receipt-gate/local-runtime';
import { describe, expect, it } from 'vitest';
import { mappingFor } from './redrive.js';

const recordOf = (functionArn: string) =>
  ({ requestContext: { functionArn } }) as unknown as StreamFailureRecord;

describe('the mapping of an on-failure entry', () => {
  it("is the one named like the entry's function (the local pump names functions after their mapping)", () => {
    expect(
      mappingFor(recordOf('arn:aws:lambda:us-east-1:000000000000:function:compaction'), STREAM_MAPPINGS)
        ?.name,
    ).toBe('compaction');
  });

  it("is the only one whose name a deployed function's name contains", () => {
    const deployed =
      'arn:aws:lambda:eu-west-1:123456789012:function:ReceiptGate-ValidationA1B2C3-x9Y8z7:$LATEST';
    expect(mappingFor(recordOf(deployed), STREAM_MAPPINGS)?.name).toBe('validation');
  });

  it('is none for a function of no mapping, or one naming two; --mapping decides then', () => {
    expect(
      mappingFor(recordOf('arn:aws:lambda:us-east-1:0:function:other'), STREAM_MAPPINGS),
    ).toBeUndefined();
    const both = recordOf('arn:aws:lambda:us-east-1:0:function:compaction-validation');
    expect(mappingFor(both, STREAM_MAPPINGS)).toBeUndefined();
    expect(mappingFor(both, STREAM_MAPPINGS, 'validation')?.name).toBe('validation');
    expect(mappingFor(both, STREAM_MAPPINGS, 'nope')).toBeUndefined();
  });
});
