import { InvalidValueError } from '../errors/invalid-value-error.js';
import { describeValue, parseNonEmptyString, parseOneOf, parseOptionalString } from './ids.js';
import { withoutUndefined } from './optional.js';
import { parseReceiptRef, type ReceiptRef } from './receipt-ref.js';
import { parseTimestamp } from './timestamps.js';

export const METADATA_VALIDATED_BY = [
  'PHONE_LOOKUP',
  'ADDRESS_LOOKUP',
  'NEARBY_LOOKUP',
  'TEXT_SEARCH',
  'INFERENCE',
] as const;
export type MetadataValidatedBy = (typeof METADATA_VALIDATED_BY)[number];

export const METADATA_VALIDATION_STATUSES = ['MATCHED', 'NO_MATCH', 'UNSURE'] as const;
export type MetadataValidationStatus = (typeof METADATA_VALIDATION_STATUSES)[number];

/** The merchant a receipt belongs to (RECEIPT_METADATA). */
export interface ReceiptMetadata extends ReceiptRef {
  readonly placeId: string;
  readonly merchantName: string;
  readonly matchedFields: readonly string[];
  readonly timestamp: string;
  readonly merchantCategory?: string;
  readonly address?: string;
  readonly phoneNumber?: string;
  readonly validatedBy?: MetadataValidatedBy;
  readonly reasoning?: string;
  readonly canonicalPlaceId?: string;
  readonly canonicalMerchantName?: string;
  readonly canonicalAddress?: string;
  readonly canonicalPhoneNumber?: string;
  readonly validationStatus?: MetadataValidationStatus;
}

/** The fields a validation may correct. */
export type MetadataCorrection = Partial<
  Pick<
    ReceiptMetadata,
    'merchantName' | 'address' | 'phoneNumber' | 'merchantCategory' | 'canonicalMerchantName'
  >
>;

// A Record, so a field added to MetadataCorrection cannot be forgotten here.
const CORRECTABLE: Readonly<Record<keyof MetadataCorrection, true>> = {
  merchantName: true,
  address: true,
  phoneNumber: true,
  merchantCategory: true,
  canonicalMerchantName: true,
};

/** The fields a validation may correct. */
export const METADATA_CORRECTION_FIELDS = Object.keys(CORRECTABLE) as (keyof MetadataCorrection)[];

export function isCorrectableField(field: string): field is keyof MetadataCorrection {
  return Object.hasOwn(CORRECTABLE, field);
}

/** Fields whose change must reach the embedding snapshots (the "second compaction"). */
export const METADATA_SNAPSHOT_FIELDS = [
  'canonicalMerchantName',
  'merchantName',
  'merchantCategory',
  'address',
  'phoneNumber',
  'placeId',
] as const satisfies readonly (keyof ReceiptMetadata)[];

export function parseReceiptMetadata(input: { [K in keyof ReceiptMetadata]?: unknown }): ReceiptMetadata {
  const optional = (field: string, value: unknown) => parseOptionalString(`RECEIPT_METADATA.${field}`, value);
  const matched = input.matchedFields ?? [];
  if (!Array.isArray(matched) || matched.some((field) => typeof field !== 'string')) {
    throw new InvalidValueError(
      'RECEIPT_METADATA.matched_fields',
      `expected a list of strings, got ${describeValue(matched)}`,
    );
  }
  if (typeof input.placeId !== 'string') {
    throw new InvalidValueError(
      'RECEIPT_METADATA.place_id',
      `expected a string, got ${describeValue(input.placeId)}`,
    );
  }
  const validatedBy = optional('validated_by', input.validatedBy);
  const validationStatus = optional('validation_status', input.validationStatus);
  return withoutUndefined({
    ...parseReceiptRef(input as { imageId: unknown; receiptId: unknown }),
    placeId: input.placeId,
    merchantName: parseNonEmptyString('RECEIPT_METADATA.merchant_name', input.merchantName),
    matchedFields: [...new Set(matched as string[])],
    timestamp: parseTimestamp('RECEIPT_METADATA.timestamp', input.timestamp),
    merchantCategory: optional('merchant_category', input.merchantCategory),
    address: optional('address', input.address),
    phoneNumber: optional('phone_number', input.phoneNumber),
    validatedBy:
      validatedBy === undefined
        ? undefined
        : parseOneOf('RECEIPT_METADATA.validated_by', METADATA_VALIDATED_BY, validatedBy),
    reasoning: optional('reasoning', input.reasoning),
    canonicalPlaceId: optional('canonical_place_id', input.canonicalPlaceId),
    canonicalMerchantName: optional('canonical_merchant_name', input.canonicalMerchantName),
    canonicalAddress: optional('canonical_address', input.canonicalAddress),
    canonicalPhoneNumber: optional('canonical_phone_number', input.canonicalPhoneNumber),
    validationStatus:
      validationStatus === undefined
        ? undefined
        : parseOneOf('RECEIPT_METADATA.validation_status', METADATA_VALIDATION_STATUSES, validationStatus),
  });
}
