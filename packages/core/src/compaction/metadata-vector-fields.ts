import type { MerchantRecord } from '../domain/merchant-record.js';
import type { VectorMetadataValue } from '../ports/embedding-store.js';

/** The vector metadata fields that carry a receipt's merchant record (the second compaction patches them). */
export const METADATA_VECTOR_FIELDS = [
  'merchant_name',
  'merchant_category',
  'address',
  'phone_number',
  'place_id',
] as const;

export type MetadataVectorFields = Record<(typeof METADATA_VECTOR_FIELDS)[number], VectorMetadataValue>;

/**
 * The merchant fields of every vector of a receipt. An absent value (or no record at all) is written as "":
 * vector metadata has no null, and a patch must be able to clear a field that was removed, so every vector always
 * carries all five fields.
 */
export function metadataVectorFields(metadata: MerchantRecord | undefined): MetadataVectorFields {
  return {
    merchant_name: metadata?.merchantName ?? '',
    merchant_category: metadata?.merchantCategory ?? '',
    address: metadata?.address ?? '',
    phone_number: metadata?.phoneNumber ?? '',
    place_id: metadata?.placeId ?? '',
  };
}
