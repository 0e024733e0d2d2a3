import { STREAM_MAPPINGS, type StreamMappingDefinition } from '@receipt-gate/lambda';
import type { StreamFailureRecord } from '@receipt-gate/local-runtime';
import { describe, expect, it } from 'vitest';
import { mappingFor } from './redrive.js';

const recordOf = (functionArn: string) =>
  ({ requestContext: { functionArn } }) as unknown as StreamFailureRecord;

const mappingNamed = (name: string) => ({ ...STREAM_MAPPINGS[0], name }) as StreamMappingDefinition;
const TWO = [mappingNamed('compaction'), mappingNamed('validation')];

describe('the mapping of an on-failure entry', () => {
  it("is the one named like the entry's function (the local pump names functions after their mapping)", () => {
    expect(
      mappingFor(recordOf('arn:aws:lambda:us-east-1:000000000000:function:dispatcher'), STREAM_MAPPINGS)
        ?.name,
    ).toBe('dispatcher');
  });

  it("is the only one whose name a deployed function's name contains", () => {
    const deployed =
      'arn:aws:lambda:eu-west-1:123456789012:function:ReceiptGate-DispatcherA1B2C3-x9Y8z7:$LATEST';
    expect(mappingFor(recordOf(deployed), STREAM_MAPPINGS)?.name).toBe('dispatcher');
  });

  it('is none for a function of no mapping, or one naming two; --mapping decides then', () => {
    expect(mappingFor(recordOf('arn:aws:lambda:us-east-1:0:function:other'), TWO)).toBeUndefined();
    const both = recordOf('arn:aws:lambda:us-east-1:0:function:compaction-validation');
    expect(mappingFor(both, TWO)).toBeUndefined();
    expect(mappingFor(both, TWO, 'validation')?.name).toBe('validation');
    expect(mappingFor(both, TWO, 'nope')).toBeUndefined();
  });
});
