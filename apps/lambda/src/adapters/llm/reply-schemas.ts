import { MERCHANT_CORRECTION_FIELDS, type WordLabelName } from '@receipt-gate/core';
import { z } from 'zod';

// The JSON schema sent as `format` asks for integer ids and for the step's labels only (the `meta` below), so
// a well-behaved model cannot stray; parsing accepts any number and any string, so that one stray proposal is
// dropped and counted on its own (validate-proposals) instead of voiding the whole reply.
const id = () => z.number().meta({ type: 'integer', minimum: 1 });

/** A labelling step's reply; `title` names the step (and lets a test server tell the steps apart). */
export function labelReplySchema(title: string, labels: readonly WordLabelName[]) {
  return z
    .object({
      labels: z.array(
        z.object({
          line_id: id(),
          word_id: id(),
          label: z.string().meta({ enum: [...labels] }),
          reason: z.string().optional(),
        }),
      ),
    })
    .meta({ title });
}

export type LabelReply = z.infer<ReturnType<typeof labelReplySchema>>;
export type RawProposal = LabelReply['labels'][number];

export const METADATA_CHECK = 'metadata_check';

export const metadataReplySchema = z
  .object({
    matches: z.boolean(),
    corrections: z.array(
      z.object({
        field: z.string().meta({ enum: [...MERCHANT_CORRECTION_FIELDS] }),
        value: z.string(),
      }),
    ),
    reason: z.string().optional(),
  })
  .meta({ title: METADATA_CHECK });

export type MetadataReply = z.infer<typeof metadataReplySchema>;
