import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  describeValue,
  InvalidValueError,
  type MerchantRecord,
  merchantSlug,
  parseMerchantRecord,
  type ReceiptRef,
} from '@receipt-gate/core';
import {
  bool,
  fromAttributeValue,
  type Item,
  n,
  optionalS,
  s,
  toAttributeValue,
} from './attribute-values.js';
import { gsi4, imageIdOf, imageReceipt, PLACE_GSI4SK, placeKey, sortKeyParts } from './keys.js';
import {
  type AttributeChanges,
  attributeChanges,
  type MerchantRecordCodec,
  mergeChanges,
} from './merchant-record-codec.js';
import { fixedHalfEven, plainDecimal } from './number-format.js';

export const RECEIPT_PLACE_TYPE = 'RECEIPT_PLACE';

const SK_PATTERN = /^RECEIPT#(\d+)#PLACE$/;

// The attributes of each kind, by record field (RECEIPT_PLACE names the formatted address `formatted_address`).
const STRINGS = {
  merchantCategory: 'merchant_category',
  address: 'formatted_address',
  shortAddress: 'short_address',
  phoneNumber: 'phone_number',
  phoneIntl: 'phone_intl',
  website: 'website',
  mapsUrl: 'maps_url',
  businessStatus: 'business_status',
  plusCode: 'plus_code',
  reasoning: 'reasoning',
  placesApiVersion: 'places_api_version',
} as const satisfies Partial<Record<keyof MerchantRecord, string>>;
const LISTS = {
  matchedFields: 'matched_fields',
  merchantTypes: 'merchant_types',
  hoursSummary: 'hours_summary',
  photoReferences: 'photo_references',
} as const satisfies Partial<Record<keyof MerchantRecord, string>>;
const NUMBERS = {
  latitude: 'latitude',
  longitude: 'longitude',
  viewportNeLat: 'viewport_ne_lat',
  viewportNeLng: 'viewport_ne_lng',
  viewportSwLat: 'viewport_sw_lat',
  viewportSwLng: 'viewport_sw_lng',
} as const satisfies Partial<Record<keyof MerchantRecord, string>>;
const MAPS = {
  addressComponents: 'address_components',
  hoursData: 'hours_data',
} as const satisfies Partial<Record<keyof MerchantRecord, string>>;

const KEY_ATTRIBUTES = ['GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3PK', 'GSI3SK', 'GSI4PK', 'GSI4SK'];
const BODY_ATTRIBUTES = [
  'TYPE',
  'image_id',
  'receipt_id',
  'place_id',
  'merchant_name',
  'validation_status',
  'confidence',
  'timestamp',
  'validated_by',
  'open_now',
  ...Object.values(STRINGS),
  ...Object.values(LISTS),
  ...Object.values(NUMBERS),
  ...Object.values(MAPS),
];

function gsiSk(receipt: ReceiptRef): string {
  return `${imageReceipt(receipt)}#PLACE`;
}

/**
 * The index keys of a record: GSI1 by merchant slug, GSI2 by place (none without one), GSI3 by confidence (4
 * decimals, as Python's `.4f` rounds) and status, GSI4 under the receipt.
 */
function keyAttributes(record: MerchantRecord): Item {
  return {
    GSI1PK: s(`MERCHANT#${merchantSlug(record.merchantName)}`),
    GSI1SK: s(gsiSk(record)),
    ...(record.placeId === '' ? {} : { GSI2PK: s(`PLACE#${record.placeId}`), GSI2SK: s(gsiSk(record)) }),
    GSI3PK: s('PLACE_VALIDATION'),
    GSI3SK: s(
      `CONFIDENCE#${fixedHalfEven(record.confidence, 4)}#STATUS#${record.validationStatus}#IMAGE#${record.imageId}`,
    ),
    ...gsi4(record, PLACE_GSI4SK),
  };
}

/**
 * The attributes of a record, every one the current format defines and no other (the existing services refuse a
 * RECEIPT_PLACE with any attribute they do not know): empty strings as NULL, empty lists and maps and unknown
 * numbers left out.
 */
function bodyAttributes(record: MerchantRecord): Item {
  const item: Item = {
    TYPE: s(RECEIPT_PLACE_TYPE),
    image_id: s(record.imageId),
    receipt_id: n(record.receiptId),
    place_id: s(record.placeId),
    merchant_name: s(record.merchantName),
    validation_status: s(record.validationStatus),
    confidence: { N: plainDecimal(record.confidence) },
    timestamp: s(record.timestamp),
    validated_by: optionalS(record.validatedBy),
  };
  for (const [field, name] of Object.entries(STRINGS)) {
    item[name] = optionalS(record[field as keyof typeof STRINGS]);
  }
  for (const [field, name] of Object.entries(LISTS)) {
    const values = record[field as keyof typeof LISTS];
    if (values.length > 0) item[name] = { L: values.map(s) };
  }
  for (const [field, name] of Object.entries(NUMBERS)) {
    const value = record[field as keyof typeof NUMBERS];
    if (value !== undefined) item[name] = { N: plainDecimal(value) };
  }
  for (const [field, name] of Object.entries(MAPS)) {
    const value = record[field as keyof typeof MAPS];
    if (value !== undefined) item[name] = toAttributeValue(`${RECEIPT_PLACE_TYPE}.${name}`, value);
  }
  if (record.openNow !== undefined) item.open_now = bool(record.openNow);
  return item;
}

/** The item of a merchant record in the current format. */
export function toReceiptPlaceItem(record: MerchantRecord): Item {
  return { ...placeKey(record), ...keyAttributes(record), ...bodyAttributes(record) };
}

/**
 * A merchant record from its RECEIPT_PLACE item, read as the existing services read it: lists stored as legacy
 * string sets and maps stored as legacy JSON strings are accepted; a missing confidence is 0 and a missing status
 * "". Attributes the format does not define are ignored here (the existing services would refuse the item).
 */
export function fromReceiptPlaceItem(item: Item): MerchantRecord {
  if (item.TYPE?.S !== RECEIPT_PLACE_TYPE) {
    throw new InvalidValueError(
      `${RECEIPT_PLACE_TYPE}.TYPE`,
      `expected ${RECEIPT_PLACE_TYPE}, got ${describeValue(fromAttributeValue(item.TYPE))}`,
    );
  }
  const [receiptId] = sortKeyParts(RECEIPT_PLACE_TYPE, item, SK_PATTERN, 'RECEIPT#{r:05d}#PLACE');
  const field = (name: string) => fromAttributeValue(item[name]);
  const fields = (names: Record<string, string>, read: (name: string) => unknown = field) =>
    Object.fromEntries(Object.entries(names).map(([key, name]) => [key, read(name)]));
  return parseMerchantRecord({
    imageId: imageIdOf(RECEIPT_PLACE_TYPE, item),
    receiptId: Number(receiptId),
    placeId: field('place_id'),
    merchantName: field('merchant_name'),
    validationStatus: field('validation_status'),
    confidence: field('confidence'),
    timestamp: field('timestamp'),
    validatedBy: field('validated_by'),
    openNow: field('open_now'),
    ...fields(STRINGS),
    ...fields(LISTS),
    ...fields(NUMBERS),
    ...fields(MAPS, (name) => mapOf(name, item[name])),
  });
}

/** A map attribute: M, or a legacy JSON string holding an object. */
function mapOf(name: string, value: AttributeValue | undefined): unknown {
  if (value?.S === undefined) return fromAttributeValue(value);
  try {
    return JSON.parse(value.S);
  } catch {
    throw new InvalidValueError(`${RECEIPT_PLACE_TYPE}.${name}`, 'expected a map or a JSON object string');
  }
}

/**
 * RECEIPT_PLACE, the current format. A change writes the attributes whose value changes and rebuilds the index
 * keys (GSI1PK by the new name, GSI2 by the new place or none, GSI3SK by the new confidence and status, GSI4).
 */
export const RECEIPT_PLACE_CODEC: MerchantRecordCodec = {
  type: RECEIPT_PLACE_TYPE,
  attributes: ['PK', 'SK', ...KEY_ATTRIBUTES, ...BODY_ATTRIBUTES],
  keySources: { GSI1PK: 'merchant_name', GSI2PK: 'place_id', GSI3SK: 'validation_status' },
  namesSummary: true,
  key: placeKey,
  toItem: toReceiptPlaceItem,
  fromItem: fromReceiptPlaceItem,
  changes(expected, next, stored): AttributeChanges {
    return mergeChanges(
      attributeChanges(bodyAttributes(expected), bodyAttributes(next), stored, BODY_ATTRIBUTES),
      attributeChanges(stored, keyAttributes(next), stored, KEY_ATTRIBUTES),
    );
  },
};
