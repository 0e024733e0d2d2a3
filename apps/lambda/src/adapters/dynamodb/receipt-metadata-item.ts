import {
  InvalidValueError,
  MERCHANT_VALIDATION_STATUSES,
  type MerchantRecord,
  parseMerchantRecord,
  type ReceiptRef,
} from '@receipt-gate/core';
import { fromAttributeValue, type Item, NULL, optionalS, s, stringSet } from './attribute-values.js';
import { imageIdOf, imageReceipt, metadataKey, sortKeyParts } from './keys.js';
import {
  type AttributeChanges,
  attributeChanges,
  type MerchantRecordCodec,
} from './merchant-record-codec.js';

export const RECEIPT_METADATA_TYPE = 'RECEIPT_METADATA';

const SK_PATTERN = /^RECEIPT#(\d+)#METADATA$/;

const BODY_ATTRIBUTES = [
  'TYPE',
  'place_id',
  'merchant_name',
  'matched_fields',
  'timestamp',
  'merchant_category',
  'address',
  'phone_number',
  'validated_by',
  'reasoning',
  'validation_status',
];
// Deprecated, never written by us; a correction of the merchant name clears them, as they describe the old one.
const CANONICAL_ATTRIBUTES = [
  'canonical_place_id',
  'canonical_merchant_name',
  'canonical_address',
  'canonical_phone_number',
];
const KEY_ATTRIBUTES = ['GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK'];

/** GSI1PK of the legacy format: the merchant name upper-case with spaces as `_`. */
export function metadataGsi1pk(merchantName: string): string {
  return `MERCHANT#${merchantName.toUpperCase().replaceAll(' ', '_')}`;
}

function gsiSk(receipt: ReceiptRef): string {
  return `${imageReceipt(receipt)}#METADATA`;
}

function keyAttributes(record: MerchantRecord): Item {
  return {
    GSI1PK: s(metadataGsi1pk(record.merchantName)),
    GSI1SK: s(gsiSk(record)),
    ...(record.placeId === '' ? {} : { GSI2PK: s(`PLACE#${record.placeId}`), GSI2SK: s(gsiSk(record)) }),
    // Sparse: without a status the item stays out of the index rather than be listed under a made-up `STATUS#`.
    ...(record.validationStatus === ''
      ? {}
      : { GSI3PK: s('MERCHANT_VALIDATION'), GSI3SK: s(`STATUS#${record.validationStatus}`) }),
  };
}

/** The attributes of the legacy format, which has a subset of the record's fields. */
function bodyAttributes(record: MerchantRecord): Item {
  const status = record.validationStatus;
  if (status !== '' && !(MERCHANT_VALIDATION_STATUSES as readonly string[]).includes(status)) {
    throw new InvalidValueError(
      `${RECEIPT_METADATA_TYPE}.validation_status`,
      `expected one of ${MERCHANT_VALIDATION_STATUSES.join(' | ')} in this format, got "${status}"`,
    );
  }
  const matchedFields = stringSet(record.matchedFields);
  return {
    TYPE: s(RECEIPT_METADATA_TYPE),
    place_id: s(record.placeId),
    merchant_name: s(record.merchantName),
    // DynamoDB has no empty set: the attribute is left out (a missing one reads as []).
    ...(matchedFields === undefined ? {} : { matched_fields: matchedFields }),
    timestamp: s(record.timestamp),
    merchant_category: optionalS(record.merchantCategory),
    address: optionalS(record.address),
    phone_number: optionalS(record.phoneNumber),
    validated_by: optionalS(record.validatedBy),
    reasoning: optionalS(record.reasoning),
    validation_status: optionalS(status),
  };
}

/** The item of a merchant record in the legacy RECEIPT_METADATA format. */
export function toReceiptMetadataItem(record: MerchantRecord): Item {
  return { ...metadataKey(record), ...keyAttributes(record), ...bodyAttributes(record) };
}

/** A merchant record from its RECEIPT_METADATA item; the deprecated `canonical_*` attributes are ignored. */
export function fromReceiptMetadataItem(item: Item): MerchantRecord {
  const [receiptId] = sortKeyParts(RECEIPT_METADATA_TYPE, item, SK_PATTERN, 'RECEIPT#{r:05d}#METADATA');
  const field = (name: string) => fromAttributeValue(item[name]);
  return parseMerchantRecord(
    {
      imageId: imageIdOf(RECEIPT_METADATA_TYPE, item),
      receiptId: Number(receiptId),
      placeId: field('place_id'),
      merchantName: field('merchant_name'),
      matchedFields: field('matched_fields') ?? undefined,
      timestamp: field('timestamp'),
      merchantCategory: field('merchant_category'),
      address: field('address'),
      phoneNumber: field('phone_number'),
      validatedBy: field('validated_by'),
      reasoning: field('reasoning'),
      validationStatus: field('validation_status') ?? undefined,
    },
    RECEIPT_METADATA_TYPE,
  );
}

/**
 * RECEIPT_METADATA, for tables that have not migrated to RECEIPT_PLACE. A change writes the attributes whose value
 * changes and the index keys derived from them; a new merchant name clears the `canonical_*` attributes.
 */
export const RECEIPT_METADATA_CODEC: MerchantRecordCodec = {
  type: RECEIPT_METADATA_TYPE,
  attributes: ['PK', 'SK', ...KEY_ATTRIBUTES, ...BODY_ATTRIBUTES, ...CANONICAL_ATTRIBUTES],
  keySources: { GSI1PK: 'merchant_name', GSI2PK: 'place_id', GSI3SK: 'validation_status' },
  namesSummary: false,
  key: metadataKey,
  toItem: toReceiptMetadataItem,
  fromItem: fromReceiptMetadataItem,
  changes(expected, next, stored): AttributeChanges {
    const body = attributeChanges(bodyAttributes(expected), bodyAttributes(next), stored, BODY_ATTRIBUTES);
    const keys = attributeChanges(keyAttributes(expected), keyAttributes(next), stored, KEY_ATTRIBUTES);
    const renamed = expected.merchantName !== next.merchantName;
    const canonical = renamed
      ? Object.fromEntries(
          CANONICAL_ATTRIBUTES.filter(
            (name) => stored[name] !== undefined && stored[name]?.NULL !== true,
          ).map((name) => [name, NULL]),
        )
      : {};
    return { set: { ...body.set, ...keys.set, ...canonical }, remove: [...body.remove, ...keys.remove] };
  },
};
