import {
  type MetadataCorrection,
  parseReceiptMetadata,
  type ReceiptMetadata,
  type ReceiptRef,
} from '@receipt-gate/core';
import { fromAttributeValue, type Item, optionalS, s, stringSet } from './attribute-values.js';
import { imageIdOf, imageReceipt, metadataKey, sortKeyParts } from './keys.js';

export const RECEIPT_METADATA_TYPE = 'RECEIPT_METADATA';

const SK_PATTERN = /^RECEIPT#(\d+)#METADATA$/;

/** The attribute of each field a validation may correct (a Record, so none can be forgotten). */
export const CORRECTION_ATTRIBUTES: Readonly<Record<keyof MetadataCorrection, string>> = {
  merchantName: 'merchant_name',
  address: 'address',
  phoneNumber: 'phone_number',
  merchantCategory: 'merchant_category',
  canonicalMerchantName: 'canonical_merchant_name',
};

/** GSI1PK: the canonical merchant name if any, else the merchant name, upper-case with spaces as `_`. */
export function merchantGsi1pk(metadata: Pick<ReceiptMetadata, 'merchantName' | 'canonicalMerchantName'>) {
  const name = metadata.canonicalMerchantName || metadata.merchantName;
  return `MERCHANT#${name.toUpperCase().replaceAll(' ', '_')}`;
}

function metadataGsiSk(receipt: ReceiptRef): string {
  return `${imageReceipt(receipt)}#METADATA`;
}

/**
 * The item of a receipt's metadata. As the Python services do, GSI2 is written only for a non-empty place id
 * and `matched_fields` only when non-empty (DynamoDB has no empty set; a missing attribute reads as []). GSI3
 * is written only with a validation status: without one the item stays out of that sparse index rather than
 * be listed under a made-up `STATUS#` (the attribute itself is NULL then).
 */
export function toReceiptMetadataItem(metadata: ReceiptMetadata): Item {
  const matchedFields = stringSet(metadata.matchedFields);
  return {
    ...metadataKey(metadata),
    GSI1PK: s(merchantGsi1pk(metadata)),
    GSI1SK: s(metadataGsiSk(metadata)),
    ...(metadata.placeId === ''
      ? {}
      : { GSI2PK: s(`PLACE#${metadata.placeId}`), GSI2SK: s(metadataGsiSk(metadata)) }),
    ...(metadata.validationStatus === undefined
      ? {}
      : { GSI3PK: s('MERCHANT_VALIDATION'), GSI3SK: s(`STATUS#${metadata.validationStatus}`) }),
    TYPE: s(RECEIPT_METADATA_TYPE),
    place_id: s(metadata.placeId),
    merchant_name: s(metadata.merchantName),
    ...(matchedFields === undefined ? {} : { matched_fields: matchedFields }),
    timestamp: s(metadata.timestamp),
    merchant_category: optionalS(metadata.merchantCategory),
    address: optionalS(metadata.address),
    phone_number: optionalS(metadata.phoneNumber),
    validated_by: optionalS(metadata.validatedBy),
    reasoning: optionalS(metadata.reasoning),
    canonical_place_id: optionalS(metadata.canonicalPlaceId),
    canonical_merchant_name: optionalS(metadata.canonicalMerchantName),
    canonical_address: optionalS(metadata.canonicalAddress),
    canonical_phone_number: optionalS(metadata.canonicalPhoneNumber),
    validation_status: optionalS(metadata.validationStatus),
  };
}

/** Metadata from its item; a missing or NULL `matched_fields` reads as [], NULL strings as absent. */
export function fromReceiptMetadataItem(item: Item): ReceiptMetadata {
  const [receiptId] = sortKeyParts(RECEIPT_METADATA_TYPE, item, SK_PATTERN, 'RECEIPT#{r:05d}#METADATA');
  const field = (name: string) => fromAttributeValue(item[name]);
  return parseReceiptMetadata({
    imageId: imageIdOf(RECEIPT_METADATA_TYPE, item),
    receiptId: Number(receiptId),
    placeId: field('place_id'),
    merchantName: field('merchant_name'),
    matchedFields: field('matched_fields') ?? [],
    timestamp: field('timestamp'),
    merchantCategory: field('merchant_category'),
    address: field('address'),
    phoneNumber: field('phone_number'),
    validatedBy: field('validated_by'),
    reasoning: field('reasoning'),
    canonicalPlaceId: field('canonical_place_id'),
    canonicalMerchantName: field('canonical_merchant_name'),
    canonicalAddress: field('canonical_address'),
    canonicalPhoneNumber: field('canonical_phone_number'),
    validationStatus: field('validation_status'),
  });
}
